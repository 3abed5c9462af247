// The statement that records one model call (see recordModelCall). One statement, so a burst of
// calls never queues for interactive transactions, and one round trip per call: every model call
// pays for it.
//   - The credit account row is locked by its upsert: concurrent charges serialise and each sees the
//     balance the one before left.
//   - A request id already in the ledger fails the unique index, rolling the whole statement back.
//   - The session's totals and `last_event_seq` are bumped under its row lock, and the `metered`
//     event (with `budget_exceeded` when this call crossed the budget) is appended and announced
//     exactly as the event log's own append does it (gap-free sequence, NOTIFY with the batch).
import { notifyBatchSql } from "../sessions/event-log.ts";
import type { MeteredCall } from "./ledger.ts";

/** int8 columns arrive from `pg` as decimal strings. */
export interface RecordedCallRow {
  balance_after: string;
  total_input_tokens: string;
  total_output_tokens: string;
  total_cached_tokens: string;
  total_cost_micro_usd: string;
  total_credits_consumed: string;
  budget_micro_usd: string | null;
  crossed_budget: boolean;
}

/** What the statement needs: the call as metered, and what the ledger decided about it. */
export type RecordCallParams = Pick<
  MeteredCall,
  | "sessionId"
  | "model"
  | "inputTokens"
  | "outputTokens"
  | "cachedTokens"
  | "reasoningTokens"
  | "estimated"
  | "upstreamStatus"
> & {
  organizationId: string;
  userId: string;
  chargedMicroUsd: bigint;
  costMicroUsd: bigint;
  idempotencyKey: string;
  provider: string;
  keySource: string;
  priceId: string | null;
  inputPerMTok: bigint | null;
  outputPerMTok: bigint | null;
  cachedInputPerMTok: bigint | null;
  markupBps: number;
  /** ISO time; created_at holds UTC wall-clock time, as Prisma writes it. */
  at: string;
};

/** The parameters in the statement's order. */
export const recordCallValues = (p: RecordCallParams): unknown[] => [
  p.organizationId,
  p.chargedMicroUsd,
  p.userId,
  p.sessionId,
  p.costMicroUsd,
  p.idempotencyKey,
  p.provider,
  p.model,
  p.keySource,
  p.inputTokens,
  p.outputTokens,
  p.cachedTokens,
  p.reasoningTokens,
  p.estimated,
  p.upstreamStatus,
  p.priceId,
  p.inputPerMTok,
  p.outputPerMTok,
  p.cachedInputPerMTok,
  p.markupBps,
  p.at,
];

// In the UPDATE, SET reads the row as it was and RETURNING as it is: "this call crossed the budget"
// is old total < budget <= new total, written once for each side.
const CROSSES_OLD = `s.budget_micro_usd IS NOT NULL AND s.total_cost_micro_usd < s.budget_micro_usd
      AND s.total_cost_micro_usd + $5::bigint >= s.budget_micro_usd`;
const CROSSED_NEW = `s.budget_micro_usd IS NOT NULL AND s.total_cost_micro_usd >= s.budget_micro_usd
      AND s.total_cost_micro_usd - $5::bigint < s.budget_micro_usd`;

export const RECORD_CALL_SQL = `
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
    SELECT $1, $3, $4, 'usage', -$2::bigint, $5::bigint, account.balance_after, $6, $7::model_provider, $8::text,
      $9::key_source, $10::int, $11::int, $12::int, $13::int, $14::boolean, $15::int, $16, $17::bigint,
      $18::bigint, $19::bigint, $20::int, $21::timestamptz AT TIME ZONE 'UTC'
    FROM account
    RETURNING balance_after_micro_usd
  ), totals AS (
    UPDATE studio_sessions s SET
      total_input_tokens = s.total_input_tokens + $10::int,
      total_output_tokens = s.total_output_tokens + $11::int,
      total_cached_tokens = s.total_cached_tokens + $12::int,
      total_cost_micro_usd = s.total_cost_micro_usd + $5::bigint,
      total_credits_consumed = s.total_credits_consumed + $2::bigint,
      last_event_seq = s.last_event_seq + CASE WHEN ${CROSSES_OLD} THEN 2 ELSE 1 END
    WHERE s.id = $4 AND EXISTS (SELECT 1 FROM entry)
    RETURNING s.id, s.total_input_tokens, s.total_output_tokens, s.total_cached_tokens,
      s.total_cost_micro_usd, s.total_credits_consumed, s.budget_micro_usd, s.last_event_seq,
      (${CROSSED_NEW}) AS crossed_budget
  ), events AS (
    SELECT t.id AS session_id, t.last_event_seq - (CASE WHEN t.crossed_budget THEN 2 ELSE 1 END) + e.position AS seq,
      e.type, e.payload
    FROM totals t CROSS JOIN LATERAL (VALUES
      (1, 'metered', jsonb_build_object(
        'type', 'metered', 'model', $8::text, 'inputTokens', $10::int, 'outputTokens', $11::int,
        'cachedTokens', $12::int, 'reasoningTokens', $13::int, 'estimated', $14::boolean,
        'costMicroUsd', $5::bigint, 'chargedMicroUsd', $2::bigint,
        'totals', jsonb_build_object(
          'inputTokens', t.total_input_tokens, 'outputTokens', t.total_output_tokens,
          'cachedTokens', t.total_cached_tokens, 'costMicroUsd', t.total_cost_micro_usd,
          'chargedMicroUsd', t.total_credits_consumed))),
      (2, 'budget_exceeded', jsonb_build_object(
        'type', 'budget_exceeded', 'budgetMicroUsd', t.budget_micro_usd,
        'spentMicroUsd', t.total_cost_micro_usd))
    ) AS e(position, type, payload)
    WHERE e.position = 1 OR t.crossed_budget
  ), inserted AS (
    INSERT INTO session_events (session_id, seq, type, payload)
    SELECT session_id, seq, type, payload FROM events
    RETURNING seq
  )
  SELECT entry.balance_after_micro_usd AS balance_after, t.total_input_tokens, t.total_output_tokens,
    t.total_cached_tokens, t.total_cost_micro_usd, t.total_credits_consumed, t.budget_micro_usd,
    t.crossed_budget,
    ${notifyBatchSql(
      "t.id",
      "t.last_event_seq",
      "(SELECT count(*) FROM inserted)",
      "(SELECT json_agg(payload ORDER BY seq) FROM events)",
    )} AS notified
  FROM entry, totals t`;
