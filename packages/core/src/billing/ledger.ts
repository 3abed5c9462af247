// The append-only ledger and the credit balance. Every write locks the organisation's credit
// account row first, so concurrent charges serialise and the balance is exact; the idempotency key
// is checked under that lock, so a retried request never charges twice.

import type { Db, DbTx, SqlPool } from "@studio/db";
import type { ModelProvider } from "@studio/models";
import { type PriceRow, priceFor } from "./prices.ts";
import { callCostMicroUsd } from "./pricing.ts";
import {
  RECORD_CALLS_SQL,
  type RecordCallParams,
  type RecordedCallRow,
  recordCallsValues,
} from "./record-call-sql.ts";
import { type KeySource, paysWithCredits } from "./resolution.ts";

export interface MeteredCall {
  /** The gateway's request id: one ledger entry per id, however often it is recorded. */
  requestId: string;
  sessionId: string;
  /** The model the call is priced as: the one the provider reports it ran (the upstream's name). */
  model: string;
  /** The model the call asked for, when the provider reports running another one (a flag). */
  requestedModel?: string | null;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  estimated: boolean;
  upstreamStatus: number | null;
  at: Date;
}

export interface RecordedCall {
  duplicate: boolean;
  costMicroUsd: bigint;
  chargedMicroUsd: bigint;
  balanceAfterMicroUsd: bigint;
  /** Set when this call took the session over its budget. */
  budgetExceeded: { budgetMicroUsd: bigint; spentMicroUsd: bigint } | null;
}

async function lockedBalance(tx: DbTx, organizationId: string): Promise<bigint> {
  await tx.$executeRaw`
    INSERT INTO credit_accounts (organization_id, balance_micro_usd, updated_at)
    VALUES (${organizationId}, 0, now()) ON CONFLICT (organization_id) DO NOTHING`;
  const [row] = await tx.$queryRaw<{ balance: bigint }[]>`
    SELECT balance_micro_usd AS balance FROM credit_accounts WHERE organization_id = ${organizationId} FOR UPDATE`;
  return BigInt(row?.balance ?? 0n);
}

async function alreadyRecorded(tx: DbTx, idempotencyKey: string): Promise<boolean> {
  const found = await tx.ledgerEntry.findUnique({ where: { idempotencyKey }, select: { id: true } });
  return found !== null;
}

export const usageIdempotencyKey = (requestId: string) => `usage:${requestId}`;

export interface CallingSession {
  organizationId: string;
  userId: string;
  keySource: KeySource;
  upstreamProvider: ModelProvider;
}

/** A call to record, with its session's facts when the caller already has them (the gateway does). */
export interface CallToRecord {
  call: MeteredCall;
  session?: CallingSession;
  /** The budget allowances the gateway admitted the call from: its cost is taken from them. */
  allowanceIds?: string[];
}

export interface RecordOptions {
  platformMarkupBps: number;
  /** Looks the price up; the gateway passes a cached lookup. Default: `priceFor`. */
  price?: (
    organizationId: string,
    provider: ModelProvider,
    model: string,
    at: Date,
  ) => Promise<PriceRow | null>;
}

/** A concurrent duplicate rolls the statement back; run again, it is left out. */
const DUPLICATE_RACE_ATTEMPTS = 3;

/**
 * Records model calls in one statement (record-call-sql.ts), with exactly the effect of recording
 * them one by one in the order given: for each, a ledger entry at the price in force, the balance
 * charged when its session is on platform credits, the session's totals, and the `metered` event
 * carrying them to the page (with `budget_exceeded` after the call that crossed the session's
 * budget). A request id recorded before charges nothing and appends nothing. Results are in the
 * calls' order. The statement goes straight to `pool` (the one under `db`): it runs for every call.
 */
export async function recordModelCalls(
  db: Db,
  pool: SqlPool,
  calls: CallToRecord[],
  options: RecordOptions,
): Promise<RecordedCall[]> {
  const priced = await Promise.all(calls.map((item) => priceCall(db, item, options)));
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await pool.query<RecordedCallRow>({
        name: "studio_record_model_calls",
        text: RECORD_CALLS_SQL,
        values: recordCallsValues(priced),
      });
      const recorded = new Map(result.rows.map((row) => [Number(row.n), row]));
      return await Promise.all(
        priced.map(async (params, index): Promise<RecordedCall> => {
          const row = recorded.get(index + 1);
          if (!row) return duplicateOf(db, params.organizationId);
          return {
            duplicate: false,
            costMicroUsd: params.costMicroUsd,
            chargedMicroUsd: params.chargedMicroUsd,
            balanceAfterMicroUsd: BigInt(row.balance_after),
            budgetExceeded:
              row.crossed_budget && row.budget_micro_usd !== null && row.total_cost_micro_usd !== null
                ? {
                    budgetMicroUsd: BigInt(row.budget_micro_usd),
                    spentMicroUsd: BigInt(row.total_cost_micro_usd),
                  }
                : null,
          };
        }),
      );
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= DUPLICATE_RACE_ATTEMPTS) throw error;
    }
  }
}

/** Records one model call: `recordModelCalls` with a batch of one. */
export async function recordModelCall(
  db: Db,
  pool: SqlPool,
  call: MeteredCall,
  options: RecordOptions & { session?: CallingSession },
): Promise<RecordedCall> {
  const [recorded] = await recordModelCalls(db, pool, [{ call, session: options.session }], options);
  return recorded!;
}

async function duplicateOf(db: Db, organizationId: string): Promise<RecordedCall> {
  return {
    duplicate: true,
    costMicroUsd: 0n,
    chargedMicroUsd: 0n,
    balanceAfterMicroUsd: await creditBalance(db, organizationId),
    budgetExceeded: null,
  };
}

/** What the ledger decides about a call before writing it: its price, cost and charge. */
async function priceCall(
  db: Db,
  { call, session: known, allowanceIds }: CallToRecord,
  options: RecordOptions,
): Promise<RecordCallParams> {
  const session =
    known ??
    (await db.studioSession.findUniqueOrThrow({
      where: { id: call.sessionId },
      select: { organizationId: true, userId: true, keySource: true, upstreamProvider: true },
    }));
  const lookUp = options.price ?? ((...args) => priceFor(db, ...args));
  const price = await lookUp(session.organizationId, session.upstreamProvider, call.model, call.at);
  const onCredits = paysWithCredits({
    keySource: session.keySource as KeySource,
    upstreamProvider: session.upstreamProvider,
  });
  // The markup is the platform's margin on its credits; own keys are costed at the price itself.
  const markupBps = onCredits ? options.platformMarkupBps : 0;
  const usage = {
    inputTokens: call.inputTokens,
    outputTokens: call.outputTokens,
    cachedTokens: call.cachedTokens,
  };
  const cost = price ? callCostMicroUsd(usage, price, markupBps) : 0n;
  return {
    ...call,
    organizationId: session.organizationId,
    userId: session.userId,
    chargedMicroUsd: onCredits ? cost : 0n,
    costMicroUsd: cost,
    idempotencyKey: usageIdempotencyKey(call.requestId),
    provider: session.upstreamProvider,
    keySource: session.keySource,
    priceId: price?.id ?? null,
    inputPerMTok: price?.inputPerMTok ?? null,
    outputPerMTok: price?.outputPerMTok ?? null,
    cachedInputPerMTok: price?.cachedInputPerMTok ?? null,
    markupBps,
    at: call.at.toISOString(),
    allowanceIds: allowanceIds ?? null,
  };
}

/** Postgres' unique_violation, however the driver adapter wraps it. */
function isUniqueViolation(error: unknown): boolean {
  const text = `${String(error)} ${JSON.stringify(error, (_key, value) => (typeof value === "bigint" ? String(value) : value))}`;
  return text.includes("23505") || /unique constraint/i.test(text);
}

export interface CreditChange {
  kind: "grant" | "adjustment";
  amountMicroUsd: bigint;
  reason: string;
  /** Makes a retried submission (double click, network retry) apply once. */
  requestId: string;
}

/** A grant or adjustment by a person; returns the balance after it. */
export async function changeCredits(
  db: Db,
  actor: { userId: string; organizationId: string },
  change: CreditChange,
): Promise<{ balanceMicroUsd: bigint; duplicate: boolean }> {
  const idempotencyKey = `credit:${actor.organizationId}:${change.requestId}`;
  return db.$transaction(async (tx) => {
    const balance = await lockedBalance(tx, actor.organizationId);
    if (await alreadyRecorded(tx, idempotencyKey)) return { balanceMicroUsd: balance, duplicate: true };
    const balanceAfter = balance + change.amountMicroUsd;
    await tx.creditAccount.update({
      where: { organizationId: actor.organizationId },
      data: { balanceMicroUsd: balanceAfter },
    });
    await tx.ledgerEntry.create({
      data: {
        organizationId: actor.organizationId,
        kind: change.kind,
        amountMicroUsd: change.amountMicroUsd,
        costMicroUsd: 0n,
        balanceAfterMicroUsd: balanceAfter,
        idempotencyKey,
        reason: change.reason,
        createdById: actor.userId,
      },
    });
    return { balanceMicroUsd: balanceAfter, duplicate: false };
  });
}

export async function creditBalance(db: DbTx, organizationId: string): Promise<bigint> {
  const account = await db.creditAccount.findUnique({
    where: { organizationId },
    select: { balanceMicroUsd: true },
  });
  return account?.balanceMicroUsd ?? 0n;
}
