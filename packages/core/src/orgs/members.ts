import type { Db, DbTx } from "@studio/db";
import { AppError, forbidden, notFound } from "../shared/errors.ts";
import { canChangeRole, canRemove } from "./roles.ts";
import type { Role } from "./schemas.ts";

export interface Member {
  userId: string;
  name: string;
  email: string;
  role: Role;
  joinedAt: Date;
}

export interface Actor {
  userId: string;
  organizationId: string;
  role: Role;
}

export async function listMembers(db: DbTx, organizationId: string): Promise<Member[]> {
  const rows = await db.membership.findMany({
    where: { organizationId },
    select: { role: true, createdAt: true, user: { select: { id: true, name: true, email: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((row) => ({
    userId: row.user.id,
    name: row.user.name,
    email: row.user.email,
    role: row.role,
    joinedAt: row.createdAt,
  }));
}

async function targetMembership(db: DbTx, organizationId: string, userId: string) {
  const membership = await db.membership.findUnique({
    where: { organizationId_userId: { organizationId, userId } },
    select: { id: true, role: true },
  });
  if (!membership) throw notFound("Member");
  return membership;
}

/** Every organisation keeps at least one owner. Row lock so two demotions cannot both pass. */
async function assertAnotherOwnerRemains(db: DbTx, organizationId: string) {
  const owners = await db.$queryRaw<{ user_id: string }[]>`
    SELECT user_id FROM memberships WHERE organization_id = ${organizationId} AND role = 'owner' FOR UPDATE`;
  if (owners.length <= 1) {
    throw new AppError(
      "CONFLICT",
      "An organisation needs at least one owner. Make someone else owner first.",
    );
  }
}

export async function changeMemberRole(db: Db, actor: Actor, userId: string, role: Role): Promise<Member> {
  await db.$transaction(async (tx) => {
    const target = await targetMembership(tx, actor.organizationId, userId);
    if (!canChangeRole(actor.role, target.role, role))
      throw forbidden("You cannot give or change that role.");
    if (target.role === "owner" && role !== "owner")
      await assertAnotherOwnerRemains(tx, actor.organizationId);
    await tx.membership.update({ where: { id: target.id }, data: { role } });
  });
  const member = (await listMembers(db, actor.organizationId)).find((m) => m.userId === userId);
  if (!member) throw notFound("Member");
  return member;
}

/** Removes a member, or lets a member leave (userId = actor). Their auth sessions fall back elsewhere. */
export async function removeMember(db: Db, actor: Actor, userId: string): Promise<void> {
  await db.$transaction(async (tx) => removeMemberInTransaction(tx, actor, userId));
}

async function removeMemberInTransaction(db: DbTx, actor: Actor, userId: string): Promise<void> {
  const target = await targetMembership(db, actor.organizationId, userId);
  const leaving = userId === actor.userId;
  if (!leaving && !canRemove(actor.role, target.role)) throw forbidden("You cannot remove this member.");
  if (target.role === "owner") await assertAnotherOwnerRemains(db, actor.organizationId);
  await db.membership.delete({ where: { id: target.id } });
  await db.authSession.updateMany({
    where: { userId, activeOrganizationId: actor.organizationId },
    data: { activeOrganizationId: null },
  });
  await db.apiToken.updateMany({
    where: { userId, organizationId: actor.organizationId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
}
