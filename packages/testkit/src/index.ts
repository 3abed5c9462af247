export * from "./cuttable-postgres.ts";
export * from "./git-server.ts";
export * from "./model-server/index.ts";
export * from "./postgres.ts";
export * from "./seed.ts";
export * from "./snapshot.ts";
