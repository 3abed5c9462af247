// What a runner knows of its session row, read through core (`@studio/core/runner`, runner-store.ts).
export { loadSessionRow, type SessionRow } from "@studio/core/runner";
