export * from "./day-split.ts";
export * from "./filters.ts";
export * from "./ledger-csv.ts";
export * from "./ledger-views.ts";
