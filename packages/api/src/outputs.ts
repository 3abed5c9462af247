import {
  endpointModelsSchema,
  GIT_REMOTE_OUTCOMES,
  KEY_SOURCES,
  MODEL_PROVIDERS,
  roleSchema,
  SESSION_STATUSES,
} from "@studio/core";
import { InteractionKind, type Prisma } from "@studio/db";
import {
  AGENTS,
  GIT_HOST_KINDS,
  GIT_REF_KINDS,
  KNOWN_AGENTS,
  type ModelTier,
  SESSION_SOURCE_KINDS,
  TOOL_POLICIES,
  WORKSPACE_CHANGE_STATUSES,
  WORKSPACE_ENTRY_KINDS,
  WORKSPACE_FILE_KINDS,
} from "@studio/models";
import { z } from "zod";

// What procedures return, declared so no column outside these shapes can reach a client.

export const accountOutput = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  createdAt: z.date(),
});

export const organizationSummaryOutput = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  personal: z.boolean(),
  role: roleSchema,
});

/** `auth.me`: who is signed in, where they act and where they may switch to; null when signed out. */
export const meOutput = z
  .object({
    user: z.object({ id: z.string(), email: z.string(), name: z.string(), platformAdmin: z.boolean() }),
    activeOrganization: organizationSummaryOutput.nullable(),
    organizations: organizationSummaryOutput.array(),
    via: z.literal(["session", "token"]),
  })
  .nullable();

export const organizationSettingsOutput = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  personal: z.boolean(),
  idleTimeoutMinutes: z.number().int(),
  toolPermissions: z.enum(TOOL_POLICIES),
  pushBranchPrefix: z.string(),
  terminalWatching: z.boolean(),
  previewSharing: z.boolean(),
  timeZone: z.string(),
  callsPerMinute: z.number().int().nullable(),
  memberCallsPerMinute: z.number().int().nullable(),
  maxLiveSessions: z.number().int().nullable(),
  maxLiveSessionsPerMember: z.number().int().nullable(),
  createdAt: z.date(),
});

export const memberOutput = z.object({
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  role: roleSchema,
  joinedAt: z.date(),
});

export const invitationOutput = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  status: z.enum(["pending", "accepted", "revoked", "expired"]),
  invitedBy: z.string(),
  createdAt: z.date(),
  expiresAt: z.date(),
});

export const apiTokenOutput = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});

export const sessionOutput = z.object({
  id: z.string(),
  organizationId: z.string(),
  userId: z.string(),
  user: z.object({ name: z.string() }),
  environment: z.enum(["development", "production"]),
  status: z.enum(SESSION_STATUSES),
  sandboxProvider: z.enum(["local", "e2b"]),
  /** The coding agent; any the studio knows, so a session outlives its agent being turned off. */
  agent: z.enum(KNOWN_AGENTS),
  provider: z.enum(MODEL_PROVIDERS),
  model: z.string(),
  keySource: z.enum(KEY_SOURCES),
  keyDelivery: z.enum(["gateway", "environment"]),
  upstreamProvider: z.enum(MODEL_PROVIDERS),
  upstreamModel: z.string(),
  budgetMicroUsd: z.bigint().nullable(),
  totalCostMicroUsd: z.bigint(),
  title: z.string().nullable(),
  totalInputTokens: z.bigint(),
  totalOutputTokens: z.bigint(),
  totalCachedTokens: z.bigint(),
  totalCreditsConsumed: z.bigint(),
  idleTimeoutSeconds: z.number().int(),
  lastActivityAt: z.date(),
  lastEventSeq: z.bigint(),
  errorReason: z.string().nullable(),
  errorStep: z.string().nullable(),
  createdAt: z.date(),
  readyAt: z.date().nullable(),
  stoppedAt: z.date().nullable(),
  /** What the workspace started from. */
  source: z.object({
    kind: z.enum(SESSION_SOURCE_KINDS),
    url: z.string().nullable(),
    ref: z.string().nullable(),
    refKind: z.enum(GIT_REF_KINDS).nullable(),
    fullHistory: z.boolean(),
  }),
  baseCommit: z.string().nullable(),
  baseBranch: z.string().nullable(),
  workBranch: z.string().nullable(),
});

/** `sessions.sourceRefs`: a repository's branches (default first) and tags. */
export const sourceRefsOutput = z.object({
  defaultBranch: z.string().nullable(),
  branches: z.string().array(),
  tags: z.string().array(),
  /** The repository has more refs than the studio reads. */
  truncated: z.boolean(),
});

export const recentRepositoryOutput = z.object({
  url: z.string(),
  ref: z.string().nullable(),
  refKind: z.enum(GIT_REF_KINDS).nullable(),
  usedAt: z.date(),
});

const keyProvider = z.enum(MODEL_PROVIDERS);

/** A stored provider key as anyone may see it: never the key, only its last four characters. */
export const providerKeyOutput = z.object({
  provider: keyProvider,
  lastFour: z.string(),
  baseUrl: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  lastUsedAt: z.date().nullable(),
  createdBy: z.object({ name: z.string(), email: z.string() }),
});

/** A git host's credential as anyone may see it: never the token, only its last four characters. */
export const gitCredentialOutput = z.object({
  host: z.string(),
  username: z.string().nullable(),
  lastFour: z.string(),
  hostKind: z.enum(GIT_HOST_KINDS).nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  createdBy: z.object({ name: z.string(), email: z.string() }),
});

/** What `git ls-remote` with the stored credential said, in a form to branch on and in words. */
export const gitCredentialTestOutput = z.object({
  outcome: z.enum(GIT_REMOTE_OUTCOMES),
  refCount: z.number().int().nonnegative().nullable(),
  message: z.string(),
});

export const priceOutput = z.object({
  id: z.string(),
  provider: keyProvider,
  model: z.string(),
  inputPerMTok: z.bigint(),
  outputPerMTok: z.bigint(),
  cachedInputPerMTok: z.bigint(),
  effectiveFrom: z.date(),
  /** Null for the platform's list price. */
  organizationId: z.string().nullable(),
  createdAt: z.date(),
  createdBy: z.object({ name: z.string() }).nullable(),
});

/** Whether the organisation can use a model (or the custom endpoint) now, and if not why and what fixes it. */
const availabilityOutput = z.discriminatedUnion("available", [
  z.object({ available: z.literal(true), keySource: z.enum(KEY_SOURCES) }),
  z.object({ available: z.literal(false), reason: z.string(), fix: z.literal(["keys", "credits"]) }),
]);

/** `sessions.catalog`: see `sessionCatalog` in core. */
export const catalogOutput = z.object({
  defaultAgent: z.enum(AGENTS),
  /** The agents a new session can run, each with the providers whose route serves its model API. */
  agents: z
    .object({
      id: z.enum(AGENTS),
      name: z.string(),
      description: z.string(),
      wireFormats: z.string().array(),
      supports: z.object({
        resume: z.boolean(),
        questions: z.boolean(),
        modes: z.object({ id: z.string(), name: z.string() }).array(),
      }),
      providers: z
        .object({
          id: z.enum(MODEL_PROVIDERS),
          usable: z.boolean(),
          /** Why the provider cannot serve the agent; null when it can. */
          reason: z.string().nullable(),
          /** What the studio cannot check ahead (a custom endpoint serving that API). */
          caveat: z.string().nullable(),
        })
        .array(),
      /** Models the organisation can use, but whose route cannot carry this agent's model API. */
      unusableModels: z
        .object({ provider: z.enum(MODEL_PROVIDERS), model: z.string(), reason: z.string() })
        .array(),
    })
    .array(),
  defaultProvider: z.enum(MODEL_PROVIDERS),
  defaultModel: z.string(),
  providers: z
    .object({
      id: z.enum(MODEL_PROVIDERS),
      name: z.string(),
      freeformModels: z.boolean(),
      available: z.boolean(),
      access: availabilityOutput.nullable(),
      endpointModels: endpointModelsSchema.nullable(),
      unavailableReason: z.string().nullable(),
      models: z
        .object({
          id: z.string(),
          name: z.string(),
          tier: z.custom<ModelTier>((value) => typeof value === "string"),
          contextLimit: z.number().int(),
          access: availabilityOutput,
        })
        .array(),
    })
    .array(),
});

/** `sessions.pendingInteractions`: the permission requests and questions still waiting for an answer. */
export const pendingInteractionOutput = z.object({
  id: z.string(),
  kind: z.enum(InteractionKind),
  toolCallId: z.string().nullable(),
  request: z.custom<Prisma.JsonValue>(),
  createdAt: z.date(),
});

export const commitAndPushOutput = z.object({
  commit: z.string().nullable(),
  branch: z.string(),
  pushed: z.boolean(),
  pullRequestUrl: z.string().nullable(),
  message: z.string(),
});

/** The workspace panel (`workspace.*`): see packages/core/src/workspace/port.ts. */
const workspaceChangeStatusOutput = z.enum(WORKSPACE_CHANGE_STATUSES);

export const workspaceListOutput = z.object({
  path: z.string(),
  entries: z
    .object({
      name: z.string(),
      path: z.string(),
      kind: z.enum(WORKSPACE_ENTRY_KINDS),
      size: z.number().nullable(),
      ignored: z.boolean(),
      change: workspaceChangeStatusOutput.nullable(),
    })
    .array(),
  truncated: z.boolean(),
});

export const workspaceFileOutput = z.object({
  path: z.string(),
  kind: z.enum(WORKSPACE_FILE_KINDS),
  size: z.number().nullable(),
  content: z.string().nullable(),
  truncated: z.boolean(),
  target: z.string().nullable(),
});

export const workspaceChangesOutput = z.object({
  baseCommit: z.string(),
  files: z
    .object({
      path: z.string(),
      oldPath: z.string().nullable(),
      status: workspaceChangeStatusOutput,
      additions: z.number().nullable(),
      deletions: z.number().nullable(),
      binary: z.boolean(),
    })
    .array(),
  totals: z.object({ files: z.number(), additions: z.number(), deletions: z.number() }),
  truncated: z.boolean(),
});

export const workspaceDiffOutput = z.object({
  path: z.string(),
  oldPath: z.string().nullable(),
  status: workspaceChangeStatusOutput,
  binary: z.boolean(),
  oldContent: z.string().nullable(),
  newContent: z.string().nullable(),
  truncated: z.boolean(),
});

export const terminalOutput = z.object({
  id: z.string(),
  name: z.string(),
  openedAt: z.date(),
  openedBy: z.object({ userId: z.string(), name: z.string() }).nullable(),
});

export const terminalListOutput = z.object({
  /** False: the caller may only watch. */
  canType: z.boolean(),
  terminals: terminalOutput.array(),
});
