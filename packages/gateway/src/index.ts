export * from "./access.ts";
export * from "./gateway.ts";
export * from "./key-probe.ts";
export * from "./model-listing.ts";
export * from "./upstreams.ts";
