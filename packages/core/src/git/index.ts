export * from "./credentials.ts";
export * from "./gateway-session.ts";
export * from "./host.ts";
export * from "./pull-request-link.ts";
export * from "./refs.ts";
export * from "./remote.ts";
export * from "./remote-url.ts";
export * from "./schemas.ts";
