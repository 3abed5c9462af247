export * from "./credits.ts";
export * from "./ledger.ts";
export * from "./prices.ts";
export * from "./pricing.ts";
export * from "./resolution.ts";
