export * from "./agents.ts";
export * from "./catalog.ts";
export * from "./list-prices.ts";
export * from "./lists.ts";
export * from "./logger.ts";
export * from "./openrouter.ts";
export * from "./wire-formats.ts";
export * from "./workspace.ts";
