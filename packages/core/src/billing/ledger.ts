// The append-only ledger and the credit balance. Every write locks the organisation's credit
// account row first, so concurrent charges serialise and the balance is exact; the idempotency key
// is checked under that lock, so a retried request never charges twice.

import type { StudioEvent } from "@studio/acp/events";
import { type Db, type DbTx, sqlPoolOf } from "@studio/db";
import type { ModelProvider } from "@studio/models";
import { appendBatches } from "../sessions/event-log.ts";
import { type PriceRow, priceFor } from "./prices.ts";
import { callCostMicroUsd } from "./pricing.ts";
import { type KeySource, paysWithCredits } from "./resolution.ts";

export interface MeteredCall {
  /** The gateway's request id: one ledger entry per id, however often it is recorded. */
  requestId: string;
  sessionId: string;
  /** The model the call asked for (the upstream's name for it). */
  model: string;
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

/**
 * Records one model call: a ledger entry at the price in force, the balance charged when the session
 * is on platform credits and the session's counters, in one statement; then a `metered` event for
 * the live counters on the page (if that append fails, the record above stands and the session row's
 * totals still show it).
 */
export interface CallingSession {
  organizationId: string;
  userId: string;
  keySource: KeySource;
  upstreamProvider: ModelProvider;
  budgetMicroUsd: bigint | null;
}

export interface RecordOptions {
  platformMarkupBps: number;
  /** The session's facts, when the caller already has them (the gateway does): saves a query. */
  session?: CallingSession;
  /** Looks the price up; the gateway passes a cached lookup. Default: `priceFor`. */
  price?: (
    organizationId: string,
    provider: ModelProvider,
    model: string,
    at: Date,
  ) => Promise<PriceRow | null>;
}

export async function recordModelCall(
  db: Db,
  call: MeteredCall,
  options: RecordOptions,
): Promise<RecordedCall> {
  const session =
    options.session ??
    (await db.studioSession.findUniqueOrThrow({
      where: { id: call.sessionId },
      select: {
        organizationId: true,
        userId: true,
        keySource: true,
        upstreamProvider: true,
        budgetMicroUsd: true,
      },
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
  const charged = onCredits ? cost : 0n;
  const idempotencyKey = usageIdempotencyKey(call.requestId);

  let rows: TotalsRow[];
  try {
    const result = await sqlPoolOf(db).query<TotalsRow>({
      name: "studio_record_model_call",
      text: RECORD_CALL_SQL,
      values: [
        session.organizationId,
        charged,
        session.userId,
        call.sessionId,
        cost,
        idempotencyKey,
        session.upstreamProvider,
        call.model,
        session.keySource,
        call.inputTokens,
        call.outputTokens,
        call.cachedTokens,
        call.reasoningTokens,
        call.estimated,
        call.upstreamStatus,
        price?.id ?? null,
        price?.inputPerMTok ?? null,
        price?.outputPerMTok ?? null,
        price?.cachedInputPerMTok ?? null,
        markupBps,
        // created_at holds UTC wall-clock time, as Prisma writes it.
        call.at.toISOString(),
      ],
    });
    rows = result.rows;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return {
      duplicate: true,
      costMicroUsd: 0n,
      chargedMicroUsd: 0n,
      balanceAfterMicroUsd: await creditBalance(db, session.organizationId),
      budgetExceeded: null,
    };
  }
  const totals = rows[0];
  if (!totals) throw new Error(`session ${call.sessionId} vanished while its call was recorded`);
  const spent = BigInt(totals.total_cost_micro_usd);
  const budget = session.budgetMicroUsd;
  const budgetExceeded = budget !== null && spent >= budget && spent - cost < budget;
  // The event carries live counters to the page; the ledger row above is the record.
  const events: StudioEvent[] = [
    {
      type: "metered",
      model: call.model,
      inputTokens: call.inputTokens,
      outputTokens: call.outputTokens,
      cachedTokens: call.cachedTokens,
      reasoningTokens: call.reasoningTokens,
      estimated: call.estimated,
      costMicroUsd: Number(cost),
      chargedMicroUsd: Number(charged),
      totals: {
        inputTokens: Number(totals.total_input_tokens),
        outputTokens: Number(totals.total_output_tokens),
        cachedTokens: Number(totals.total_cached_tokens),
        costMicroUsd: Number(spent),
        chargedMicroUsd: Number(totals.total_credits_consumed),
      },
    },
  ];
  if (budgetExceeded && budget !== null)
    events.push({ type: "budget_exceeded", budgetMicroUsd: Number(budget), spentMicroUsd: Number(spent) });
  await appendBatches(sqlPoolOf(db), [{ sessionId: call.sessionId, events }]);
  return {
    duplicate: false,
    costMicroUsd: cost,
    chargedMicroUsd: charged,
    balanceAfterMicroUsd: BigInt(totals.balance_after),
    budgetExceeded:
      budgetExceeded && budget !== null ? { budgetMicroUsd: budget, spentMicroUsd: spent } : null,
  };
}

/** int8 columns arrive from `pg` as decimal strings. */
interface TotalsRow {
  balance_after: string;
  total_input_tokens: string;
  total_output_tokens: string;
  total_cached_tokens: string;
  total_cost_micro_usd: string;
  total_credits_consumed: string;
}

// One statement, so a burst of calls never queues for interactive transactions: the account row is
// locked by its upsert (concurrent charges serialise and see each other's balance), and a request id
// already in the ledger fails the unique index, rolling the whole statement back. Run through plain
// `pg` as a prepared statement: every model call pays for it, and Prisma's own cost per query would
// be most of its CPU (see sqlPoolOf).
const RECORD_CALL_SQL = `
  WITH account AS (
    INSERT INTO credit_accounts (organization_id, balance_micro_usd, updated_at)
    VALUES ($1, -$2::bigint, now())
    ON CONFLICT (organization_id) DO UPDATE
      SET balance_micro_usd = credit_accounts.balance_micro_usd - $2::bigint, updated_at = now()
    RETURNING balance_micro_usd AS balance_after
  ), entry AS (
    INSERT INTO ledger_entries (organization_id, user_id, session_id, kind, amount_micro_usd, cost_micro_usd,
      balance_after_micro_usd, idempotency_key, provider, model, key_source, input_tokens, output_tokens,
      cached_tokens, reasoning_tokens, usage_estimated, upstream_status, price_id, input_price_per_mtok,
      output_price_per_mtok, cached_price_per_mtok, markup_bps, created_at)
    SELECT $1, $3, $4, 'usage', -$2::bigint, $5::bigint, account.balance_after, $6, $7::model_provider, $8,
      $9::key_source, $10::int, $11::int, $12::int, $13::int, $14::boolean, $15::int, $16, $17::bigint,
      $18::bigint, $19::bigint, $20::int, $21::timestamptz AT TIME ZONE 'UTC'
    FROM account
    RETURNING balance_after_micro_usd
  ), totals AS (
    UPDATE studio_sessions SET
      total_input_tokens = total_input_tokens + $10::int,
      total_output_tokens = total_output_tokens + $11::int,
      total_cached_tokens = total_cached_tokens + $12::int,
      total_cost_micro_usd = total_cost_micro_usd + $5::bigint,
      total_credits_consumed = total_credits_consumed + $2::bigint
    WHERE id = $4 AND EXISTS (SELECT 1 FROM entry)
    RETURNING total_input_tokens, total_output_tokens, total_cached_tokens, total_cost_micro_usd,
      total_credits_consumed
  )
  SELECT entry.balance_after_micro_usd AS balance_after, totals.* FROM entry, totals`;

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
