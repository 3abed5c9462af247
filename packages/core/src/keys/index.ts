export * from "./keyring.ts";
export * from "./provider-keys.ts";
export * from "./schemas.ts";
