// The statement that records model calls (see recordModelCalls): any number of them, for any
// sessions and organisations, in one statement and one commit, with exactly the effect of recording
// them one by one in the order given. Under a burst of calls the gateway then pays one round trip
// and one durable commit per batch, not per call.
//   - Request ids already in the ledger (a retry) are left out; a concurrent duplicate fails the
//     unique index and rolls the whole statement back (the caller retries, and it is left out).
//   - Each organisation's credit account row is locked by its upsert, before any session row, so
//     concurrent charges serialise; each entry's balance-after is what charging the calls in order
//     would have left.
//   - Each session's totals and `last_event_seq` are bumped under its row lock (taken in id order,
//     as the event log's append takes it), and a `metered` event per call, carrying the session's
//     running totals (with `budget_exceeded` right after the call that crossed the budget), is
//     appended and announced exactly as the event log's own append does it.
import { NOTIFY_EVENTS_LIMIT, notifyBatchSql } from "../sessions/event-log.ts";
import type { MeteredCall } from "./ledger.ts";

/** One row per call that was recorded (not a duplicate); int8 columns arrive as decimal strings. */
export interface RecordedCallRow {
  /** The call's position in the batch, from 1. */
  n: string;
  balance_after: string;
  /** Whether this call took its session across its budget, and the session's totals then. */
  crossed_budget: boolean | null;
  budget_micro_usd: string | null;
  total_cost_micro_usd: string | null;
}

/** What the statement needs: the call as metered, and what the ledger decided about it. */
export type RecordCallParams = Pick<
  MeteredCall,
  | "sessionId"
  | "model"
  | "requestedModel"
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
  /** The budget allowances the gateway admitted the call from (budgets/allowances.ts), if any. */
  allowanceIds: string[] | null;
};

/** The statement's parameters: one array per column, in the order of `unnest` below. */
export function recordCallsValues(calls: RecordCallParams[]): unknown[] {
  const column = <T>(pick: (call: RecordCallParams) => T) => calls.map(pick);
  const int8 = (value: bigint | null) => (value === null ? null : value.toString());
  return [
    column((c) => c.organizationId),
    column((c) => int8(c.chargedMicroUsd)),
    column((c) => c.userId),
    column((c) => c.sessionId),
    column((c) => int8(c.costMicroUsd)),
    column((c) => c.idempotencyKey),
    column((c) => c.provider),
    column((c) => c.model),
    column((c) => c.keySource),
    column((c) => c.inputTokens),
    column((c) => c.outputTokens),
    column((c) => c.cachedTokens),
    column((c) => c.reasoningTokens),
    column((c) => c.estimated),
    column((c) => c.upstreamStatus),
    column((c) => c.priceId),
    column((c) => int8(c.inputPerMTok)),
    column((c) => int8(c.outputPerMTok)),
    column((c) => int8(c.cachedInputPerMTok)),
    column((c) => c.markupBps),
    column((c) => c.at),
    column((c) => c.requestedModel ?? null),
    column((c) => (c.allowanceIds?.length ? c.allowanceIds.join(",") : null)),
  ];
}

// A session's batch crosses its budget when its old total is under it and its new one is not
// (SET reads the row as it was, RETURNING as it is). Costs are never negative, so exactly one of
// the batch's calls crosses then: the first whose running total reaches the budget.
const CROSSES_OLD = `s.budget_micro_usd IS NOT NULL AND s.total_cost_micro_usd < s.budget_micro_usd
      AND s.total_cost_micro_usd + p.cost >= s.budget_micro_usd`;
const CROSSED_NEW = `s.budget_micro_usd IS NOT NULL AND s.total_cost_micro_usd >= s.budget_micro_usd
      AND s.total_cost_micro_usd - p.cost < s.budget_micro_usd`;

export const RECORD_CALLS_SQL = `
  WITH calls AS (
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[],
      $7::model_provider[], $8::text[], $9::key_source[], $10::int[], $11::int[], $12::int[], $13::int[],
      $14::boolean[], $15::int[], $16::text[], $17::bigint[], $18::bigint[], $19::bigint[], $20::int[],
      $21::timestamptz[], $22::text[], $23::text[])
    WITH ORDINALITY AS c(organization_id, charged, user_id, session_id, cost, idempotency_key, provider,
      model, key_source, input_tokens, output_tokens, cached_tokens, reasoning_tokens, estimated,
      upstream_status, price_id, input_per_mtok, output_per_mtok, cached_per_mtok, markup_bps, at, requested_model,
      allowance_ids, n)
  ), fresh AS (
    SELECT DISTINCT ON (c.idempotency_key) c.* FROM calls c
    WHERE NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.idempotency_key = c.idempotency_key)
    ORDER BY c.idempotency_key, c.n
  ), account AS (
    INSERT INTO credit_accounts AS a (organization_id, balance_micro_usd, updated_at)
    SELECT organization_id, -sum(charged), now() FROM fresh GROUP BY organization_id ORDER BY organization_id
    ON CONFLICT (organization_id) DO UPDATE
      SET balance_micro_usd = a.balance_micro_usd + EXCLUDED.balance_micro_usd, updated_at = now()
    RETURNING a.organization_id, a.balance_micro_usd AS balance_after_batch
  ), charged AS (
    SELECT f.*, a.balance_after_batch + sum(f.charged) OVER (PARTITION BY f.organization_id)
      - sum(f.charged) OVER (PARTITION BY f.organization_id ORDER BY f.n) AS balance_after
    FROM fresh f JOIN account a USING (organization_id)
  ), entry AS (
    INSERT INTO ledger_entries (organization_id, user_id, session_id, kind, amount_micro_usd, cost_micro_usd,
      balance_after_micro_usd, idempotency_key, provider, model, key_source, input_tokens, output_tokens,
      cached_tokens, reasoning_tokens, usage_estimated, upstream_status, price_id, input_price_per_mtok,
      output_price_per_mtok, cached_price_per_mtok, markup_bps, created_at, requested_model)
    SELECT organization_id, user_id, session_id, 'usage', -charged, cost, balance_after, idempotency_key,
      provider, model, key_source, input_tokens, output_tokens, cached_tokens, reasoning_tokens, estimated,
      upstream_status, price_id, input_per_mtok, output_per_mtok, cached_per_mtok, markup_bps,
      at AT TIME ZONE 'UTC', requested_model
    FROM charged ORDER BY n
  ), spend AS (
    -- What budgets count: each call's cost (whoever pays) on its day in the organisation's time
    -- zone, for the organisation, the session's member and the API token that started it. Rows are
    -- locked in key order, so concurrent batches cannot deadlock on them.
    INSERT INTO budget_spend_days AS d (organization_id, subject, day, spent_micro_usd)
    SELECT x.organization_id, x.subject, x.day, sum(x.cost)
    FROM (
      SELECT c.organization_id, v.subject, (c.at AT TIME ZONE o.time_zone)::date AS day, c.cost
      FROM charged c
      JOIN organizations o ON o.id = c.organization_id
      JOIN studio_sessions ss ON ss.id = c.session_id
      CROSS JOIN LATERAL (VALUES ('org'), ('member:' || c.user_id), ('token:' || ss.api_token_id)) AS v(subject)
      WHERE v.subject IS NOT NULL AND c.cost > 0
    ) x
    GROUP BY x.organization_id, x.subject, x.day
    ORDER BY x.organization_id, x.subject, x.day
    ON CONFLICT (organization_id, subject, day)
      DO UPDATE SET spent_micro_usd = d.spent_micro_usd + EXCLUDED.spent_micro_usd
    RETURNING 1
  ), allowance AS (
    -- A call admitted from allowances turns that much of each into spend (the rows just above), so
    -- what others count as held shrinks as spend grows. Each replica's rows are its own.
    UPDATE budget_allowances a SET remaining_micro_usd = GREATEST(a.remaining_micro_usd - u.cost, 0)
    FROM (
      SELECT x.id, sum(c.cost) AS cost FROM charged c
      CROSS JOIN LATERAL unnest(string_to_array(c.allowance_ids, ',')) AS x(id)
      WHERE c.cost > 0 GROUP BY x.id
    ) u
    WHERE a.id = u.id
    RETURNING 1
  ), per_session AS (
    SELECT session_id, count(*)::int AS calls, sum(input_tokens)::bigint AS input_tokens,
      sum(output_tokens)::bigint AS output_tokens, sum(cached_tokens)::bigint AS cached_tokens,
      sum(cost)::bigint AS cost, sum(charged)::bigint AS charged
    FROM charged GROUP BY session_id
  ), locked AS (
    SELECT s.id FROM studio_sessions s
    WHERE s.id IN (SELECT session_id FROM per_session)
    ORDER BY s.id FOR UPDATE
  ), totals AS (
    UPDATE studio_sessions s SET
      total_input_tokens = s.total_input_tokens + p.input_tokens,
      total_output_tokens = s.total_output_tokens + p.output_tokens,
      total_cached_tokens = s.total_cached_tokens + p.cached_tokens,
      total_cost_micro_usd = s.total_cost_micro_usd + p.cost,
      total_credits_consumed = s.total_credits_consumed + p.charged,
      last_event_seq = s.last_event_seq + p.calls + CASE WHEN ${CROSSES_OLD} THEN 1 ELSE 0 END
    FROM per_session p, locked l
    WHERE s.id = p.session_id AND l.id = s.id
    RETURNING s.id, s.budget_micro_usd, s.last_event_seq,
      p.calls + CASE WHEN ${CROSSED_NEW} THEN 1 ELSE 0 END AS events,
      s.total_input_tokens - p.input_tokens AS input_before,
      s.total_output_tokens - p.output_tokens AS output_before,
      s.total_cached_tokens - p.cached_tokens AS cached_before,
      s.total_cost_micro_usd - p.cost AS cost_before,
      s.total_credits_consumed - p.charged AS charged_before
  ), running AS (
    SELECT c.n, c.session_id, c.model, c.input_tokens, c.output_tokens, c.cached_tokens, c.reasoning_tokens,
      c.estimated, c.cost, c.charged, t.budget_micro_usd,
      t.last_event_seq - t.events + row_number() OVER w AS first_seq,
      t.input_before + sum(c.input_tokens) OVER w AS input_total,
      t.output_before + sum(c.output_tokens) OVER w AS output_total,
      t.cached_before + sum(c.cached_tokens) OVER w AS cached_total,
      t.cost_before + sum(c.cost) OVER w AS cost_total,
      t.charged_before + sum(c.charged) OVER w AS charged_total
    FROM charged c JOIN totals t ON t.id = c.session_id
    WINDOW w AS (PARTITION BY c.session_id ORDER BY c.n)
  ), crossing AS (
    SELECT r.*, (r.budget_micro_usd IS NOT NULL AND r.cost_total >= r.budget_micro_usd
        AND r.cost_total - r.cost < r.budget_micro_usd) AS crosses
    FROM running r
  ), sequenced AS (
    -- After the crossing call, its budget_exceeded event takes one number more.
    SELECT x.*, x.first_seq + count(*) FILTER (WHERE x.crosses) OVER (PARTITION BY x.session_id ORDER BY x.n
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS seq
    FROM crossing x
  ), events AS (
    SELECT q.session_id, q.seq + e.position AS seq, e.type, e.payload
    FROM sequenced q CROSS JOIN LATERAL (VALUES
      (0, 'metered', jsonb_build_object(
        'type', 'metered', 'model', q.model, 'inputTokens', q.input_tokens, 'outputTokens', q.output_tokens,
        'cachedTokens', q.cached_tokens, 'reasoningTokens', q.reasoning_tokens, 'estimated', q.estimated,
        'costMicroUsd', q.cost, 'chargedMicroUsd', q.charged,
        'totals', jsonb_build_object(
          'inputTokens', q.input_total, 'outputTokens', q.output_total, 'cachedTokens', q.cached_total,
          'costMicroUsd', q.cost_total, 'chargedMicroUsd', q.charged_total))),
      (1, 'budget_exceeded', jsonb_build_object(
        'type', 'budget_exceeded', 'budgetMicroUsd', q.budget_micro_usd, 'spentMicroUsd', q.cost_total))
    ) AS e(position, type, payload)
    WHERE e.position = 0 OR q.crosses
  ), inserted AS (
    INSERT INTO session_events (session_id, seq, type, payload)
    SELECT session_id, seq, type, payload FROM events
    RETURNING session_id
  ), announced AS (
    SELECT t.id, t.last_event_seq, (SELECT count(*) FROM inserted i WHERE i.session_id = t.id) AS count,
      (SELECT json_agg(e.payload ORDER BY e.seq) FROM events e WHERE e.session_id = t.id) AS batch
    FROM totals t
  ), notified AS (
    -- A batch too large for NOTIFY is announced without its events; subscribers read the table.
    SELECT ${notifyBatchSql(
      "id",
      "last_event_seq",
      "count",
      `CASE WHEN octet_length(batch::text) <= ${NOTIFY_EVENTS_LIMIT} THEN batch END`,
    )} AS done
    FROM announced
  )
  SELECT c.n, c.balance_after, q.crosses AS crossed_budget, q.budget_micro_usd,
    q.cost_total AS total_cost_micro_usd, (SELECT count(done) FROM notified) AS notified,
    (SELECT count(*) FROM spend) AS spend_rows
  FROM charged c LEFT JOIN sequenced q ON q.n = c.n
  ORDER BY c.n`;
