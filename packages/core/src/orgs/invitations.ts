// Invitations are links with a single-use token (no mail server needed: the inviter shares the link).
// Only SHA-256(token) is stored; an invitation is bound to the email address it was sent to.
import type { Db, DbTx } from "@studio/db";
import { hashSecret } from "../auth/secrets.ts";
import { type Clock, systemClock } from "../shared/clock.ts";
import { AppError, conflict, forbidden, notFound } from "../shared/errors.ts";
import { newId, randomToken } from "../shared/ids.ts";
import type { Actor } from "./members.ts";
import { canInvite } from "./roles.ts";
import type { Role } from "./schemas.ts";

export const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

export type InvitationStatus = "pending" | "accepted" | "revoked" | "expired";

export interface InvitationSummary {
  id: string;
  email: string;
  role: Role;
  status: InvitationStatus;
  invitedBy: string;
  createdAt: Date;
  expiresAt: Date;
}

interface InvitationRow {
  id: string;
  email: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  invitedBy: { name: string };
}

const rowSelect = {
  id: true,
  email: true,
  role: true,
  createdAt: true,
  expiresAt: true,
  acceptedAt: true,
  revokedAt: true,
  invitedBy: { select: { name: true } },
} as const;

export function invitationStatus(
  row: Pick<InvitationRow, "acceptedAt" | "revokedAt" | "expiresAt">,
  now: Date,
) {
  if (row.acceptedAt) return "accepted";
  if (row.revokedAt) return "revoked";
  if (row.expiresAt <= now) return "expired";
  return "pending";
}

function summarize(row: InvitationRow, now: Date): InvitationSummary {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    status: invitationStatus(row, now),
    invitedBy: row.invitedBy.name,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  };
}

export async function createInvitation(
  db: DbTx,
  actor: Actor,
  input: { email: string; role: Role },
  clock: Clock = systemClock,
): Promise<{ token: string; invitation: InvitationSummary }> {
  if (!canInvite(actor.role, input.role)) throw forbidden("You cannot invite people with that role.");
  const alreadyMember = await db.membership.findFirst({
    where: { organizationId: actor.organizationId, user: { email: input.email } },
    select: { id: true },
  });
  if (alreadyMember) throw conflict(`${input.email} is already a member.`);
  const now = clock.now();
  // A new invitation replaces any pending one for the same address.
  await db.invitation.updateMany({
    where: { organizationId: actor.organizationId, email: input.email, acceptedAt: null, revokedAt: null },
    data: { revokedAt: now },
  });
  const token = randomToken(20);
  const row = await db.invitation.create({
    data: {
      id: newId(),
      organizationId: actor.organizationId,
      email: input.email,
      role: input.role,
      tokenHash: hashSecret(token),
      invitedById: actor.userId,
      expiresAt: new Date(now.getTime() + INVITATION_LIFETIME_MS),
    },
    select: rowSelect,
  });
  return { token, invitation: summarize(row, now) };
}

export async function listInvitations(db: DbTx, organizationId: string, clock: Clock = systemClock) {
  const rows = await db.invitation.findMany({
    where: { organizationId },
    select: rowSelect,
    orderBy: { createdAt: "desc" },
    take: 200,
  });
  const now = clock.now();
  return rows.map((row) => summarize(row, now));
}

export async function revokeInvitation(
  db: DbTx,
  actor: Actor,
  invitationId: string,
  clock: Clock = systemClock,
) {
  const row = await db.invitation.findFirst({
    where: { id: invitationId, organizationId: actor.organizationId },
    select: rowSelect,
  });
  if (!row) throw notFound("Invitation");
  if (!canInvite(actor.role, row.role)) throw forbidden("You cannot revoke this invitation.");
  const now = clock.now();
  if (invitationStatus(row, now) !== "pending") throw conflict("This invitation is no longer pending.");
  const updated = await db.invitation.update({
    where: { id: row.id },
    data: { revokedAt: now },
    select: rowSelect,
  });
  return summarize(updated, now);
}

export interface InvitationPreview {
  organizationName: string;
  invitedBy: string;
  email: string;
  role: Role;
  status: InvitationStatus;
}

async function findByToken(db: DbTx, token: string) {
  const row = await db.invitation.findUnique({
    where: { tokenHash: hashSecret(token) },
    select: { ...rowSelect, organizationId: true, organization: { select: { name: true } } },
  });
  if (!row) throw notFound("Invitation");
  return row;
}

/** What the invitation page shows before anyone signs in. */
export async function previewInvitation(
  db: DbTx,
  token: string,
  clock: Clock = systemClock,
): Promise<InvitationPreview> {
  const row = await findByToken(db, token);
  return {
    organizationName: row.organization.name,
    invitedBy: row.invitedBy.name,
    email: row.email,
    role: row.role,
    status: invitationStatus(row, clock.now()),
  };
}

/**
 * Whether this invitation token lets `email` create an account (SIGN_UPS=invitation): the invitation
 * is pending and was sent to that address. Knowing an invited address is not enough.
 */
export async function invitationAllowsSignUp(
  db: DbTx,
  token: string | undefined,
  email: string,
  clock: Clock = systemClock,
): Promise<boolean> {
  if (!token) return false;
  const row = await db.invitation.findUnique({
    where: { tokenHash: hashSecret(token) },
    select: { email: true, acceptedAt: true, revokedAt: true, expiresAt: true },
  });
  return row !== null && row.email === email && invitationStatus(row, clock.now()) === "pending";
}

export interface AcceptOptions {
  /**
   * The one organisation the credential may act in (an API token's): an invitation into any other
   * is refused, so a token cannot carry its owner into organisations it was not made for.
   */
  confinedTo?: string | null;
  clock?: Clock;
}

export async function acceptInvitation(
  db: Db,
  user: { id: string; email: string },
  token: string,
  options: AcceptOptions = {},
): Promise<{ organizationId: string }> {
  const clock = options.clock ?? systemClock;
  return db.$transaction(async (tx) => {
    const row = await findByToken(tx, token);
    if (options.confinedTo && row.organizationId !== options.confinedTo) {
      throw forbidden(
        "An API token acts only in the organisation it was made in. Accept invitations in the browser.",
      );
    }
    const now = clock.now();
    const status = invitationStatus(row, now);
    if (status !== "pending") throw conflict(`This invitation is ${status}. Ask for a new one.`);
    if (row.email !== user.email) {
      throw forbidden(`This invitation was sent to ${row.email}. Sign in with that address to accept it.`);
    }
    const existing = await tx.membership.findUnique({
      where: { organizationId_userId: { organizationId: row.organizationId, userId: user.id } },
      select: { id: true },
    });
    if (existing) throw new AppError("CONFLICT", "You are already a member of this organisation.");
    // Conditional update: of two concurrent accepts only one finds the invitation still pending.
    const { count } = await tx.invitation.updateMany({
      where: { id: row.id, acceptedAt: null, revokedAt: null },
      data: { acceptedAt: now, acceptedById: user.id },
    });
    if (count === 0) throw conflict("This invitation was just used.");
    await tx.membership.create({
      data: { id: newId(), organizationId: row.organizationId, userId: user.id, role: row.role },
    });
    return { organizationId: row.organizationId };
  });
}
