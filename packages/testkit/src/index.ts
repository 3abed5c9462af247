export * from "./postgres.ts";
export * from "./snapshot.ts";
