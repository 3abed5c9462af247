import { TOOL_POLICIES } from "@studio/models";
import { z } from "zod";
import { emailSchema } from "../auth/schemas.ts";

export const roleSchema = z.enum(["owner", "admin", "member"]);
export type Role = z.infer<typeof roleSchema>;

export const organizationNameSchema = z
  .string()
  .trim()
  .min(2, { error: "Use at least 2 characters." })
  .max(80, { error: "Use at most 80 characters." });

const id = z.string().min(1).max(64);

export const createOrganizationInput = z.object({ name: organizationNameSchema });
export const switchOrganizationInput = z.object({ organizationId: id });
/**
 * The branches an organisation's sessions may push (`refs/heads/<prefix>…`): one or more ref path
 * components of plain characters, each followed by `/`, e.g. `studio/` or `ai/agents/`. Kept to
 * what git accepts in a branch name and to a prefix, so no session can push outside branches.
 */
export const pushBranchPrefixSchema = z
  .string()
  .min(2, { error: "Use a prefix such as studio/." })
  .max(100, { error: "Use at most 100 characters." })
  .regex(/^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)+$/, {
    error: "Use letters, digits, . _ - and /, ending with / (e.g. studio/ or ai/).",
  })
  .refine((prefix) => !prefix.includes("..") && !/\.(?:lock)?\//.test(prefix), {
    error: "No component may contain .. or end with . or .lock.",
  })
  .refine((prefix) => !prefix.startsWith("refs/"), {
    error: "Give the branch prefix only (e.g. studio/), without refs/ or refs/heads/.",
  });

/** Whether the runtime knows the IANA zone (e.g. Europe/Paris): Intl refuses any other. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone an organisation's days and months (budget periods) are counted in. */
export const timeZoneSchema = z
  .string()
  .trim()
  .min(1, { error: "Choose a time zone, e.g. Europe/Paris or UTC." })
  .max(64, { error: "Use an IANA time zone name, e.g. Europe/Paris or UTC." })
  // Intl also takes offsets such as +05:30, which are no zone: their clocks never change.
  .regex(/^[A-Za-z]/, { error: "Use an IANA time zone name, e.g. Europe/Paris or UTC, not an offset." })
  .refine(isKnownTimeZone, { error: "Unknown time zone. Use an IANA name, e.g. Europe/Paris or UTC." })
  .transform((zone) => new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone);

/** A limit an organisation sets for itself (at most the studio's), or null for the studio's default. */
const ownLimit = (max: number, what: string) =>
  z
    .number()
    .int({ error: `${what} must be a whole number.` })
    .min(1, { error: `${what} must be at least 1 (or empty for the studio's default).` })
    .max(max, { error: `${what} must be at most ${max.toLocaleString("en")}.` })
    .nullable();

/** The most an organisation may set for itself; the studio's limits, where set, still bound it. */
export const ORGANIZATION_CALLS_PER_MINUTE_MAX = 100_000;
export const ORGANIZATION_LIVE_SESSIONS_MAX = 10_000;

export const updateOrganizationInput = z.object({
  name: organizationNameSchema.optional(),
  idleTimeoutMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
  toolPermissions: z.enum(TOOL_POLICIES).optional(),
  pushBranchPrefix: pushBranchPrefixSchema.optional(),
  terminalWatching: z.boolean().optional(),
  previewSharing: z.boolean().optional(),
  timeZone: timeZoneSchema.optional(),
  callsPerMinute: ownLimit(ORGANIZATION_CALLS_PER_MINUTE_MAX, "Model calls per minute").optional(),
  memberCallsPerMinute: ownLimit(
    ORGANIZATION_CALLS_PER_MINUTE_MAX,
    "Model calls per minute per member",
  ).optional(),
  maxLiveSessions: ownLimit(ORGANIZATION_LIVE_SESSIONS_MAX, "Live sessions").optional(),
  maxLiveSessionsPerMember: ownLimit(ORGANIZATION_LIVE_SESSIONS_MAX, "Live sessions per member").optional(),
});
export const changeRoleInput = z.object({ userId: id, role: roleSchema });
export const removeMemberInput = z.object({ userId: id });
export const createInvitationInput = z.object({ email: emailSchema, role: roleSchema.default("member") });
export const invitationIdInput = z.object({ invitationId: id });
export const invitationTokenInput = z.object({
  token: z.string().regex(/^[a-z2-7]{32}$/, "Invalid invitation link."),
});
