// The value lists shared by the database, the API, the services and the UI. Each is written once,
// here, as a readonly tuple: zod schemas (`z.enum(LIST)`), types and UI option orders derive from
// it, and `@studio/core` checks at compile time that each matches Prisma's generated enum.
// Dependency-free, so the web app can import it (`@studio/models/lists`) without the catalogue.

/** A session's lifecycle states (see core's state machine). */
export const SESSION_STATUSES = ["provisioning", "ready", "active", "idle", "stopped", "error"] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
/** Statuses in which a runner must hold the session's agent connection. */
export const LIVE_STATUSES = [
  "provisioning",
  "ready",
  "active",
  "idle",
] as const satisfies readonly SessionStatus[];
export type LiveStatus = (typeof LIVE_STATUSES)[number];

/** Providers a session can use and an organisation can hold a key for, in display order. */
export const MODEL_PROVIDERS = ["xai", "anthropic", "openai", "google", "openrouter", "custom"] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

/** Whose key pays for a session's model calls. */
export const KEY_SOURCES = ["direct", "openrouter", "platform"] as const;
export type KeySource = (typeof KEY_SOURCES)[number];

/** What a ledger entry records. */
export const LEDGER_KINDS = ["usage", "grant", "adjustment", "refund"] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/**
 * Every coding agent the studio knows (the id sandbox-agent knows it by); what each speaks and can
 * do is in agents.ts. A session row may name any of them.
 */
export const KNOWN_AGENTS = ["opencode", "claude", "codex"] as const;
export type KnownAgent = (typeof KNOWN_AGENTS)[number];
/**
 * The agents a new session can run, in the config bar's order: the UI and the API offer exactly
 * these. Turning an agent on once its runtime works is adding its id here.
 */
export const AGENTS = ["opencode", "claude", "codex"] as const satisfies readonly KnownAgent[];
export type AgentName = (typeof AGENTS)[number];
export const DEFAULT_AGENT: AgentName = "opencode";

/**
 * An organisation's tool policy: "ask" before a tool changes anything, or "allow" it all. Each
 * agent maps it onto its own modes (AGENT_PROFILES' `toolPolicyModes`).
 */
export const TOOL_POLICIES = ["ask", "allow"] as const;
export type ToolPolicy = (typeof TOOL_POLICIES)[number];

/** What a session starts from: an empty workspace, a git repository, or an uploaded archive or folder. */
export const SESSION_SOURCE_KINDS = ["empty", "git", "upload"] as const;
export type SessionSourceKind = (typeof SESSION_SOURCE_KINDS)[number];

/** What a git source's ref names. */
export const GIT_REF_KINDS = ["branch", "tag", "commit"] as const;
export type GitRefKind = (typeof GIT_REF_KINDS)[number];

/** Forms the workspace can be downloaded in. */
export const ARCHIVE_FORMATS = ["zip", "tar.gz"] as const;
export type ArchiveFormat = (typeof ARCHIVE_FORMATS)[number];

/** Git hosting software whose pull-request page the studio can link to without an API. */
export const GIT_HOST_KINDS = ["github", "gitlab", "bitbucket", "gitea"] as const;
export type GitHostKind = (typeof GIT_HOST_KINDS)[number];
