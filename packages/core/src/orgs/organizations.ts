import type { DbTx } from "@studio/db";
import type { ToolPolicy } from "@studio/models";
import { AppError, notFound } from "../shared/errors.ts";
import { newId, randomToken } from "../shared/ids.ts";
import type { Role } from "./schemas.ts";

export interface OrganizationSummary {
  id: string;
  name: string;
  slug: string;
  personal: boolean;
  role: Role;
}

export interface OrganizationSettings {
  id: string;
  name: string;
  slug: string;
  personal: boolean;
  idleTimeoutMinutes: number;
  toolPermissions: ToolPolicy;
  /** Sessions may push only branches under this prefix, e.g. `studio/`. */
  pushBranchPrefix: string;
  /** Members other than a session's creator and the owners and admins may watch its terminals. */
  terminalWatching: boolean;
  /** Members may hand out signed, expiring links that open a preview without signing in. */
  previewSharing: boolean;
  /** IANA zone its days and months (budget periods) are counted in. */
  timeZone: string;
  /** Model calls per minute for the whole organisation; null: the studio's default. */
  callsPerMinute: number | null;
  /** Model calls per minute for each member; null: the studio's default. */
  memberCallsPerMinute: number | null;
  /** Live sessions at once; null: the studio's default. */
  maxLiveSessions: number | null;
  /** Live sessions at once for each member; null: the studio's default. */
  maxLiveSessionsPerMember: number | null;
  createdAt: Date;
}

const settingsSelect = {
  id: true,
  name: true,
  slug: true,
  personal: true,
  idleTimeoutMinutes: true,
  toolPermissions: true,
  pushBranchPrefix: true,
  terminalWatching: true,
  previewSharing: true,
  timeZone: true,
  callsPerMinute: true,
  memberCallsPerMinute: true,
  maxLiveSessions: true,
  maxLiveSessionsPerMember: true,
  createdAt: true,
} as const;

export function slugify(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  // A short random suffix keeps slugs unique without a retry loop.
  return `${base || "org"}-${randomToken(5).slice(0, 6)}`;
}

export async function createOrganization(db: DbTx, ownerId: string, name: string, personal = false) {
  const organization = await db.organization.create({
    data: { id: newId(), name, slug: slugify(name), personal },
    select: settingsSelect,
  });
  await db.membership.create({
    data: { id: newId(), organizationId: organization.id, userId: ownerId, role: "owner" },
  });
  await db.creditAccount.create({ data: { organizationId: organization.id } });
  return organization;
}

export function createPersonalOrganization(db: DbTx, user: { id: string; name: string }) {
  return createOrganization(db, user.id, `${user.name}'s workspace`, true);
}

export async function listOrganizationsOf(db: DbTx, userId: string): Promise<OrganizationSummary[]> {
  const memberships = await db.membership.findMany({
    where: { userId },
    select: { role: true, organization: { select: { id: true, name: true, slug: true, personal: true } } },
    orderBy: [{ organization: { personal: "desc" } }, { createdAt: "asc" }],
  });
  return memberships.map(({ role, organization }) => ({ ...organization, role }));
}

export async function findMembership(db: DbTx, userId: string, organizationId: string) {
  return db.membership.findUnique({
    where: { organizationId_userId: { organizationId, userId } },
    select: { role: true, organization: { select: { id: true, name: true, slug: true, personal: true } } },
  });
}

/** The organisation a user lands in when the session names none (or one they left). */
export async function defaultOrganizationId(db: DbTx, userId: string): Promise<string | null> {
  const [first] = await listOrganizationsOf(db, userId);
  return first?.id ?? null;
}

export async function getOrganizationSettings(
  db: DbTx,
  organizationId: string,
): Promise<OrganizationSettings> {
  const organization = await db.organization.findUnique({
    where: { id: organizationId },
    select: settingsSelect,
  });
  if (!organization) throw notFound("Organisation");
  return organization;
}

export async function updateOrganization(
  db: DbTx,
  organizationId: string,
  input: {
    name?: string | undefined;
    idleTimeoutMinutes?: number | undefined;
    toolPermissions?: ToolPolicy | undefined;
    pushBranchPrefix?: string | undefined;
    terminalWatching?: boolean | undefined;
    previewSharing?: boolean | undefined;
    timeZone?: string | undefined;
    callsPerMinute?: number | null | undefined;
    memberCallsPerMinute?: number | null | undefined;
    maxLiveSessions?: number | null | undefined;
    maxLiveSessionsPerMember?: number | null | undefined;
  },
): Promise<OrganizationSettings> {
  if (Object.values(input).every((value) => value === undefined)) {
    throw new AppError("BAD_REQUEST", "Nothing to change.");
  }
  return db.organization.update({ where: { id: organizationId }, data: input, select: settingsSelect });
}
