export * from "./model-server/index.ts";
export * from "./postgres.ts";
export * from "./snapshot.ts";
