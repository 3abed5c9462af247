export * from "./endpoint-models.ts";
export * from "./guarded-lookup.ts";
export * from "./keyring.ts";
export * from "./provider-keys.ts";
export * from "./reseal.ts";
export * from "./schemas.ts";
export * from "./special-addresses.ts";
export * from "./tenant-endpoint.ts";
