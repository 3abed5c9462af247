export * from "./admission.ts";
export * from "./allowances.ts";
export * from "./budgets.ts";
export * from "./crossings.ts";
export * from "./periods.ts";
export * from "./schemas.ts";
export * from "./status.ts";
