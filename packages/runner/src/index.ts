export { ProvisioningError } from "./agent-connection.ts";
export { AppendQueue, type StoredListener } from "./append-queue.ts";
export { coalesceChunks } from "./coalesce.ts";
export { EventWriter } from "./event-writer.ts";
export { RunnerManager, type RunnerManagerOptions } from "./manager.ts";
export { defaultProvisioningConcurrency, ProvisioningQueue } from "./provisioning-queue.ts";
export type { SessionRow } from "./session-row.ts";
export { type RunnerDeps, SessionRunner } from "./session-runner.ts";
