// `@studio/core`: the domain services procedures, the gateway and the server call. What only the
// session runners use is in `@studio/core/runner` (runner.ts).
export * from "./alerts/index.ts";
export * from "./auth/account-deletion.ts";
export * from "./auth/accounts.ts";
export * from "./auth/api-tokens.ts";
export * from "./auth/exempt-addresses.ts";
export * from "./auth/password.ts";
export * from "./auth/schemas.ts";
export * from "./auth/secrets.ts";
export * from "./auth/sessions.ts";
export * from "./auth/throttle.ts";
export * from "./billing/index.ts";
export * from "./budgets/index.ts";
export * from "./git/index.ts";
export * from "./keys/index.ts";
export * from "./orgs/deletion.ts";
export * from "./orgs/invitations.ts";
export * from "./orgs/members.ts";
export * from "./orgs/organizations.ts";
export * from "./orgs/roles.ts";
export * from "./orgs/schemas.ts";
export * from "./platform/actor.ts";
export * from "./platform/admins.ts";
export * from "./platform/installation.ts";
export * from "./platform/organizations.ts";
export * from "./previews/index.ts";
export * from "./sessions/catalog.ts";
export * from "./sessions/event-bus.ts";
export {
  appendEvents,
  EVENTS_CHANNEL,
  type EventNotification,
  parseEventNotification,
  readEvents,
  type StoredEvent,
} from "./sessions/event-log.ts";
export * from "./sessions/follow-events.ts";
export {
  answerQuestion,
  listPendingInteractions,
  respondToPermission,
} from "./sessions/interactions.ts";
export * from "./sessions/model-access.ts";
export * from "./sessions/results.ts";
export * from "./sessions/schemas.ts";
export {
  cancelTurn,
  createSession,
  getSession,
  keepalive,
  listSessions,
  resumeSession,
  type SessionActor,
  type SessionRuntimeSettings,
  type SessionView,
  sendMessage,
  sessionSelect,
  stopSession,
} from "./sessions/sessions.ts";
export * from "./sessions/sources.ts";
export * from "./sessions/state-machine.ts";
export * from "./shared/clock.ts";
export * from "./shared/errors.ts";
export * from "./shared/ids.ts";
export * from "./shared/value-lists.ts";
export * from "./terminals/index.ts";
export * from "./uploads/index.ts";
export * from "./usage/index.ts";
export * from "./workspace/index.ts";
