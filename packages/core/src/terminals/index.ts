export * from "./port.ts";
export * from "./schemas.ts";
export * from "./terminals.ts";
