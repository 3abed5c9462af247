export * from "./access.ts";
export * from "./gateway.ts";
export * from "./git/push-policy.ts";
export * from "./git/receive-pack.ts";
export * from "./git/report-status.ts";
export * from "./key-probe.ts";
export * from "./model-listing.ts";
export * from "./upstreams.ts";
