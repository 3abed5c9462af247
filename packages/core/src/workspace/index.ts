export * from "./panel.ts";
export * from "./port.ts";
export * from "./schemas.ts";
