// Deleting an organisation, by its owner, with everything it holds. Most of it goes by the schema's
// cascades (memberships, invitations, tokens, keys, credentials, credits, ledger, budgets, alerts,
// sessions with their events, commands, prompts and terminals, uploads); the two tables kept by
// triggers and counters without a foreign key (ledger_daily_totals, budget_spend_days) are cleared
// here, in the same transaction.
import type { Db, DbTx } from "@studio/db";
import { z } from "zod";
import { LIVE_STATUSES } from "../sessions/state-machine.ts";
import { countOf } from "../shared/counting.ts";
import { AppError, forbidden, notFound } from "../shared/errors.ts";

export const deleteOrganizationInput = z.object({
  organizationId: z.string().min(1).max(64),
  /** The organisation's name, typed by the person deleting it (compared without surrounding spaces). */
  confirmName: z.string().trim().min(1, { error: "Type the organisation's name to confirm." }).max(200),
});
export type DeleteOrganizationInput = z.infer<typeof deleteOrganizationInput>;

export interface DeletedOrganization {
  id: string;
  name: string;
}

/** An organisation with a long history has many rows to delete. */
const DELETION_TIMEOUT_MS = 120_000;

/**
 * Refuses (CONFLICT) while the organisation has sessions a runner still holds: live ones (which a
 * person must stop first), and stopped ones whose sandbox is still being taken down (a runner
 * still holds their lease), since deleting those rows would leave the sandbox running with nothing
 * that points at it. Locks every session row of the organisation, so none is resumed or claimed
 * between this check and the delete that follows in the same transaction.
 */
export async function assertNoLiveSessions(tx: DbTx, organization: DeletedOrganization): Promise<void> {
  const live: readonly string[] = LIVE_STATUSES;
  const rows = await tx.$queryRaw<{ status: string; held: boolean }[]>`
    SELECT status::text AS status,
      (runner_id IS NOT NULL AND runner_lease_expires_at > now()) AS held
    FROM studio_sessions WHERE organization_id = ${organization.id}
    ORDER BY id FOR UPDATE`;
  const running = rows.filter((row) => live.includes(row.status)).length;
  if (running > 0) {
    throw new AppError(
      "CONFLICT",
      `${organization.name} has ${countOf(running, "live session")} (starting, ready, working or idle). Stop ${running === 1 ? "it" : "them"} first, then delete the organisation.`,
    );
  }
  const stopping = rows.filter((row) => row.held).length;
  if (stopping > 0) {
    throw new AppError(
      "CONFLICT",
      `${organization.name} has ${countOf(stopping, "session")} still shutting down ${stopping === 1 ? "its sandbox" : "their sandboxes"}. Try again in a few seconds.`,
    );
  }
}

/**
 * Deletes the organisation and what it holds; the caller has checked who may and locked its row
 * (see lockOrganization). Browser sessions that were acting in it fall back to another one.
 */
export async function removeOrganizationInTx(tx: DbTx, organization: DeletedOrganization): Promise<void> {
  await assertNoLiveSessions(tx, organization);
  const organizationId = organization.id;
  await tx.authSession.updateMany({
    where: { activeOrganizationId: organizationId },
    data: { activeOrganizationId: null },
  });
  // Its ledger first: the delete trigger takes the entries out of the daily totals as they go.
  await tx.ledgerEntry.deleteMany({ where: { organizationId } });
  await tx.organization.delete({ where: { id: organizationId } });
  // Neither has a foreign key to the organisation, so no cascade reaches them. Totals of entries
  // whose user was deleted earlier are kept under that user's id, which the trigger cannot match.
  await tx.ledgerDailyTotal.deleteMany({ where: { organizationId } });
  await tx.budgetSpendDay.deleteMany({ where: { organizationId } });
}

/**
 * Locks the organisation's row for the rest of the transaction: a session being created in it
 * (whose foreign key check needs the row) waits, then fails, instead of slipping in after the check.
 */
export async function lockOrganization(tx: DbTx, organizationId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM organizations WHERE id = ${organizationId} FOR UPDATE`;
}

/**
 * An owner deletes an organisation, typing its name to confirm. A personal workspace goes only with
 * its account (deleteAccount). Anyone not in it is told it does not exist.
 */
export async function deleteOrganization(
  db: Db,
  userId: string,
  input: DeleteOrganizationInput,
): Promise<DeletedOrganization> {
  return db.$transaction(
    async (tx) => {
      await lockOrganization(tx, input.organizationId);
      const membership = await tx.membership.findUnique({
        where: { organizationId_userId: { organizationId: input.organizationId, userId } },
        select: { role: true, organization: { select: { id: true, name: true, personal: true } } },
      });
      if (!membership) throw notFound("Organisation");
      const { organization } = membership;
      if (membership.role !== "owner") throw forbidden("Only the organisation's owners can delete it.");
      if (organization.personal) {
        throw new AppError(
          "BAD_REQUEST",
          "This is your personal workspace: it is deleted with your account (Settings → Profile), not on its own.",
        );
      }
      if (input.confirmName !== organization.name.trim()) {
        throw new AppError(
          "BAD_REQUEST",
          `Type the organisation's name, ${organization.name}, exactly as shown to confirm.`,
        );
      }
      const deleted = { id: organization.id, name: organization.name };
      await removeOrganizationInTx(tx, deleted);
      return deleted;
    },
    { timeout: DELETION_TIMEOUT_MS },
  );
}
