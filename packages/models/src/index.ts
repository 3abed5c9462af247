export * from "./catalog.ts";
export * from "./list-prices.ts";
export * from "./openrouter.ts";
