export * from "./operations.ts";
export * from "./parse.ts";
export * from "./types.ts";
