// Allowances: shares of a hard budget that a gateway replica may admit calls from without asking
// the database, each call holding its worst-case cost until its real cost replaces it. A share is
// granted only from what no one has spent or been granted, and never from the budget's last part,
// which calls reach through the exact read below. So no replica can admit past what it was allowed,
// and the exact read counts what allowances hold as already spent. The bound this gives is in
// docs/architecture.md, "Budgets, alerts and limits".
import type { Db } from "@studio/db";

/** Allowances are never granted from the last tenth of a budget: calls there are admitted by the exact read. */
const LAST_PART_DIVISOR = 10n;
/** Lapsed allowances are kept this long (their late calls still convert), then deleted when the subject is next granted one. */
const LAPSED_KEPT = "10 minutes";

export interface AllowanceRequest {
  /** The allowance's own id: a replica makes a new one when its last one lapsed or its budget changed. */
  allowanceId: string;
  /** The replica asking. */
  holder: string;
  organizationId: string;
  budgetId: string;
  /** The limit the replica admits against: nothing is granted when the budget says otherwise now. */
  limitMicroUsd: bigint;
  subject: string;
  startDay: string;
  nextStartDay: string;
  /** How much more to hold; 0 only renews. */
  wantMicroUsd: bigint;
  ttlMs: number;
}

export interface AllowanceGrant {
  grantedMicroUsd: bigint;
  /** False when the allowance lapsed or its budget changed: the replica must stop admitting from it. */
  alive: boolean;
}

/**
 * Grants (part of) what a replica asks for and renews its allowance. Grants of one budget are
 * serialised by its row lock, and what they read is read after that lock, so two replicas can never
 * both be granted the same unspent part.
 */
export async function grantAllowance(db: Db, request: AllowanceRequest): Promise<AllowanceGrant> {
  const { allowanceId, organizationId, subject, startDay, nextStartDay } = request;
  return db.$transaction(async (tx) => {
    const [budget] = await tx.$queryRaw<{ limit: bigint; hard: boolean }[]>`
      SELECT limit_micro_usd AS limit, hard FROM budgets
      WHERE id = ${request.budgetId} AND organization_id = ${organizationId} FOR UPDATE`;
    if (!budget?.hard || BigInt(budget.limit) !== request.limitMicroUsd)
      return { grantedMicroUsd: 0n, alive: false };
    const [state] = await tx.$queryRaw<
      { spent: string; others: string; mine: string | null; existed: boolean }[]
    >`
      SELECT
        (SELECT COALESCE(sum(spent_micro_usd), 0) FROM budget_spend_days
          WHERE organization_id = ${organizationId} AND subject = ${subject}
            AND day >= ${startDay}::date AND day < ${nextStartDay}::date)::text AS spent,
        (SELECT COALESCE(sum(remaining_micro_usd), 0) FROM budget_allowances
          WHERE organization_id = ${organizationId} AND subject = ${subject} AND period_start = ${startDay}::date
            AND expires_at > now() AND id <> ${allowanceId})::text AS others,
        (SELECT remaining_micro_usd::text FROM budget_allowances
          WHERE id = ${allowanceId} AND expires_at > now()) AS mine,
        EXISTS (SELECT 1 FROM budget_allowances WHERE id = ${allowanceId}) AS existed`;
    // A lapsed allowance is not revived: others may already have been granted what it held.
    if (!state || (state.existed && state.mine === null)) return { grantedMicroUsd: 0n, alive: false };
    const free =
      request.limitMicroUsd - BigInt(state.spent) - BigInt(state.others) - BigInt(state.mine ?? "0");
    const grantable = free - request.limitMicroUsd / LAST_PART_DIVISOR;
    const granted =
      grantable <= 0n ? 0n : grantable < request.wantMicroUsd ? grantable : request.wantMicroUsd;
    if (!state.existed && granted === 0n) return { grantedMicroUsd: 0n, alive: true };
    await tx.$executeRaw`
      INSERT INTO budget_allowances AS a (id, budget_id, organization_id, subject, period_start, holder,
        remaining_micro_usd, expires_at)
      VALUES (${allowanceId}, ${request.budgetId}, ${organizationId}, ${subject}, ${startDay}::date,
        ${request.holder}, ${granted}, now() + ${request.ttlMs}::int * interval '1 millisecond')
      ON CONFLICT (id) DO UPDATE SET remaining_micro_usd = a.remaining_micro_usd + EXCLUDED.remaining_micro_usd,
        expires_at = EXCLUDED.expires_at`;
    await tx.$executeRaw`
      DELETE FROM budget_allowances WHERE organization_id = ${organizationId} AND subject = ${subject}
        AND expires_at < now() - ${LAPSED_KEPT}::interval`;
    return { grantedMicroUsd: granted, alive: true };
  });
}

/**
 * Gives back what a replica will no longer admit from (its budget changed), keeping what the calls
 * it still has in flight may turn into spend.
 */
export async function shrinkAllowance(db: Db, allowanceId: string, keepMicroUsd: bigint): Promise<void> {
  await db.$executeRaw`
    UPDATE budget_allowances SET remaining_micro_usd = LEAST(remaining_micro_usd, ${keepMicroUsd})
    WHERE id = ${allowanceId}`;
}

/**
 * The exact read, for calls no allowance covers: each subject's spend this period and what live
 * allowances hold of it (the reader's own too: its room may still be spent, its calls in flight
 * will be). In the order asked.
 */
export const READ_ADMISSION_SQL = `
  SELECT
    COALESCE((SELECT sum(d.spent_micro_usd) FROM budget_spend_days d
      WHERE d.organization_id = $1 AND d.subject = u.subject AND d.day >= u.since AND d.day < u.until), 0)::text
      AS spent,
    COALESCE((SELECT sum(a.remaining_micro_usd) FROM budget_allowances a
      WHERE a.organization_id = $1 AND a.subject = u.subject AND a.period_start = u.since
        AND a.expires_at > now()), 0)::text AS reserved
  FROM unnest($2::text[], $3::date[], $4::date[]) WITH ORDINALITY AS u(subject, since, until, i)
  ORDER BY u.i`;
