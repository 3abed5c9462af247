export * from "./gateway.ts";
export * from "./upstreams.ts";
