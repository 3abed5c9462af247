import { roleSchema } from "@studio/core";
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

export const organizationSettingsOutput = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  personal: z.boolean(),
  idleTimeoutMinutes: z.number().int(),
  toolPermissions: z.enum(["ask", "allow"]),
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
  status: z.enum(["provisioning", "ready", "active", "idle", "stopped", "error"]),
  sandboxProvider: z.enum(["local", "e2b"]),
  agentType: z.string(),
  provider: z.enum(["xai", "anthropic", "openai", "google", "openrouter", "custom"]),
  model: z.string(),
  keySource: z.enum(["direct", "openrouter", "platform"]),
  keyDelivery: z.enum(["gateway", "environment"]),
  upstreamProvider: z.enum(["xai", "anthropic", "openai", "google", "openrouter", "custom"]),
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
});

const keyProvider = z.enum(["xai", "anthropic", "openai", "google", "openrouter", "custom"]);

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
