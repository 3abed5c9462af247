// `@studio/core/runner`: what only the session runners (packages/runner) use: their session's
// rows (runner-store.ts), leases, commands, agent interactions, transitions and the grouped event
// appends. Procedures never need it; everything they call is in the main entry (index.ts).
export * from "./sessions/commands.ts";
export { readRebuiltConversation, rebuiltConversationPrompt } from "./sessions/conversation-rebuild.ts";
export { type AppendBatch, appendBatches } from "./sessions/event-log.ts";
export {
  cancelPendingInteractions,
  type PermissionRequestRecord,
  pendingInteractionsOf,
  permissionRequestOf,
  type QuestionRecord,
  questionToolCallOf,
  recordInteraction,
} from "./sessions/interactions.ts";
export * from "./sessions/leases.ts";
export * from "./sessions/lifecycle.ts";
export * from "./sessions/runner-store.ts";
export * from "./sessions/streamed-text.ts";
