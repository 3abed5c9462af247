export * from "./errors.ts";
export * from "./listeners.ts";
export * from "./previews.ts";
export * from "./proc-net.ts";
