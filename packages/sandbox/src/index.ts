export * from "./agent-server.ts";
export * from "./binaries.ts";

export * from "./e2b/commands.ts";
export * from "./e2b/provider.ts";
export * from "./e2b/sdk.ts";
export * from "./e2b/template.ts";
export * from "./errors.ts";
export * from "./files.ts";
export * from "./local/confine.ts";
export * from "./local/provider.ts";
export * from "./types.ts";
export * from "./uploads/index.ts";
export * from "./workspace/build.ts";
export * from "./workspace/instructions.ts";
export * from "./workspace/launcher.ts";
export * from "./workspace/opencode-config.ts";
export * from "./workspace/types.ts";
