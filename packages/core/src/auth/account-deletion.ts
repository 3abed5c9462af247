// A person deletes their own account, confirming with their password. Organisations they are the
// only member of go with it; one they alone own that others still use must be handed over or
// deleted first. What the account leaves in organisations that stay is kept where the schema lets
// it go on without the person (ledger entries, answered prompts, terminals lose their name), and
// refused where it does not (sessions they started, keys and git credentials they added).
import type { Db, DbTx } from "@studio/db";
import { z } from "zod";
import { lockOrganization, removeOrganizationInTx } from "../orgs/deletion.ts";
import { type Clock, systemClock } from "../shared/clock.ts";
import { countOf } from "../shared/counting.ts";
import { AppError } from "../shared/errors.ts";
import { confirmPassword } from "./accounts.ts";

export const deleteAccountInput = z.object({ password: z.string().min(1).max(200) });
export type DeleteAccountInput = z.infer<typeof deleteAccountInput>;

export interface DeletedAccount {
  /** The organisations deleted with it (those the person was the only member of). */
  deletedOrganizations: { id: string; name: string }[];
}

/** Deleting an account and its organisations can take a while for a long history. */
const DELETION_TIMEOUT_MS = 120_000;

/**
 * The studio must keep someone who can grant credits and set prices: its last platform admin cannot
 * go. Admin rows are locked so two admins deleting themselves at once cannot both pass.
 */
async function assertAnotherPlatformAdminRemains(tx: DbTx, userId: string): Promise<void> {
  const admins = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM users WHERE platform_admin ORDER BY id FOR UPDATE`;
  if (!admins.some((admin) => admin.id === userId)) return;
  if (admins.length <= 1) {
    throw new AppError(
      "CONFLICT",
      "You are the studio's only platform admin. Make someone else one first (pnpm platform-admin on the studio's machine), then delete your account.",
    );
  }
}

interface MembershipRow {
  role: string;
  organization: { id: string; name: string; memberships: { userId: string; role: string }[] };
}

/** What of the person stays in organisations that go on and blocks deleting the account row. */
async function assertNothingKeptElsewhere(tx: DbTx, userId: string, staying: MembershipRow[]) {
  const organizationIds = staying.map((row) => row.organization.id);
  if (organizationIds.length === 0) return;
  const names = new Map(staying.map((row) => [row.organization.id, row.organization.name]));
  const where = { organizationId: { in: organizationIds } };
  const [sessions, keys, credentials] = await Promise.all([
    tx.studioSession.groupBy({ by: ["organizationId"], where: { ...where, userId }, _count: true }),
    tx.providerKey.groupBy({
      by: ["organizationId"],
      where: { ...where, createdById: userId },
      _count: true,
    }),
    tx.gitCredential.groupBy({
      by: ["organizationId"],
      where: { ...where, createdById: userId },
      _count: true,
    }),
  ]);
  const problems = [
    ...sessions.map(
      (row) => `${countOf(row._count, "session")} you started in ${names.get(row.organizationId)}`,
    ),
    ...keys.map(
      (row) => `${countOf(row._count, "provider key")} you added to ${names.get(row.organizationId)}`,
    ),
    ...credentials.map(
      (row) => `${countOf(row._count, "git host credential")} you added to ${names.get(row.organizationId)}`,
    ),
  ];
  if (problems.length > 0) {
    throw new AppError(
      "CONFLICT",
      `Your account cannot be deleted while organisations that stay keep what you made there: ${problems.join("; ")}. An owner or admin can replace those keys and credentials; sessions stay with the organisation until it is deleted.`,
    );
  }
}

/**
 * Deletes the signed-in person's account after checking their password: first every organisation
 * they are the only member of (refused while one has live sessions), then the account, whose
 * browser sessions, API tokens, memberships, invitations sent, uploads and budgets cascade.
 * Refused while they are the only owner of an organisation others still belong to.
 */
export async function deleteAccount(
  db: Db,
  userId: string,
  input: DeleteAccountInput,
  clock: Clock = systemClock,
): Promise<DeletedAccount> {
  await confirmPassword(db, userId, input.password, "Your password is not correct.", clock);
  return db.$transaction(
    async (tx) => {
      await assertAnotherPlatformAdminRemains(tx, userId);
      // Locked first (in id order), so nobody joins an organisation about to go with the account.
      const joined = await tx.membership.findMany({
        where: { userId },
        orderBy: { organizationId: "asc" },
        select: { organizationId: true },
      });
      for (const { organizationId } of joined) await lockOrganization(tx, organizationId);
      const memberships: MembershipRow[] = await tx.membership.findMany({
        where: { userId },
        orderBy: { organizationId: "asc" },
        select: {
          role: true,
          organization: {
            select: { id: true, name: true, memberships: { select: { userId: true, role: true } } },
          },
        },
      });
      const alone = memberships.filter((row) => row.organization.memberships.length === 1);
      const shared = memberships.filter((row) => row.organization.memberships.length > 1);
      const orphaned = shared.filter(
        (row) =>
          row.role === "owner" &&
          !row.organization.memberships.some((other) => other.userId !== userId && other.role === "owner"),
      );
      if (orphaned.length > 0) {
        const described = orphaned
          .map(
            (row) =>
              `${row.organization.name} (${countOf(row.organization.memberships.length - 1, "other member")})`,
          )
          .join(", ");
        throw new AppError(
          "CONFLICT",
          `You are the only owner of ${described}. Make someone else an owner there, or delete ${orphaned.length === 1 ? "it" : "them"}, before deleting your account.`,
        );
      }
      await assertNothingKeptElsewhere(tx, userId, shared);
      const deletedOrganizations: DeletedAccount["deletedOrganizations"] = [];
      for (const row of alone) {
        const organization = { id: row.organization.id, name: row.organization.name };
        await removeOrganizationInTx(tx, organization);
        deletedOrganizations.push(organization);
      }
      await tx.user.delete({ where: { id: userId } });
      return { deletedOrganizations };
    },
    { timeout: DELETION_TIMEOUT_MS },
  );
}
