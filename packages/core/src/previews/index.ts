export * from "./port.ts";
export * from "./previews.ts";
export * from "./schemas.ts";
