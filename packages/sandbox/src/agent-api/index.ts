export * from "./client.ts";
export * from "./errors.ts";
export * from "./terminal-socket.ts";
export * from "./terminals.ts";
