export * from "./cuttable-postgres.ts";
export * from "./model-server/index.ts";
export * from "./postgres.ts";
export * from "./seed.ts";
export * from "./snapshot.ts";
