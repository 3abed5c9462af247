export * from "./postgres.ts";
export * from "./snapshot.ts";
export * from "./model-server/index.ts";
