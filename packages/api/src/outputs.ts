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
