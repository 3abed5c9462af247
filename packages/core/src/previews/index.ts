export * from "./grants.ts";
export * from "./port.ts";
export * from "./previews.ts";
export * from "./schemas.ts";
export * from "./sharing.ts";
