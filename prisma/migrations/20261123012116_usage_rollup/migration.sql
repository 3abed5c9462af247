-- CreateTable
CREATE TABLE "ledger_daily_totals" (
    "organization_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "user_id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "key_source" TEXT NOT NULL,
    "kind" "ledger_kind" NOT NULL,
    "entries" BIGINT NOT NULL,
    "input_tokens" BIGINT NOT NULL,
    "output_tokens" BIGINT NOT NULL,
    "cached_tokens" BIGINT NOT NULL,
    "amount_micro_usd" BIGINT NOT NULL,
    "cost_micro_usd" BIGINT NOT NULL,

    CONSTRAINT "ledger_daily_totals_pkey" PRIMARY KEY ("organization_id","day","user_id","provider","model","key_source","kind")
);

-- Kept by triggers: the ledger is append-only, and a statement trigger sees each INSERT's rows
-- together, so a bulk insert costs one upsert per group rather than one per row.
CREATE FUNCTION ledger_daily_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_daily_totals AS t (organization_id, day, user_id, provider, model, key_source, kind,
    entries, input_tokens, output_tokens, cached_tokens, amount_micro_usd, cost_micro_usd)
  SELECT organization_id, created_at::date, COALESCE(user_id, ''), COALESCE(provider::text, ''),
    COALESCE(model, ''), COALESCE(key_source::text, ''), kind, count(*), sum(input_tokens),
    sum(output_tokens), sum(cached_tokens), sum(amount_micro_usd), sum(cost_micro_usd)
  FROM inserted
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (organization_id, day, user_id, provider, model, key_source, kind) DO UPDATE SET
    entries = t.entries + EXCLUDED.entries,
    input_tokens = t.input_tokens + EXCLUDED.input_tokens,
    output_tokens = t.output_tokens + EXCLUDED.output_tokens,
    cached_tokens = t.cached_tokens + EXCLUDED.cached_tokens,
    amount_micro_usd = t.amount_micro_usd + EXCLUDED.amount_micro_usd,
    cost_micro_usd = t.cost_micro_usd + EXCLUDED.cost_micro_usd;
  RETURN NULL;
END $$;

-- Entries are only deleted with their organisation (or by hand): subtract, and drop emptied groups.
CREATE FUNCTION ledger_daily_totals_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE ledger_daily_totals AS t SET
    entries = t.entries - d.entries,
    input_tokens = t.input_tokens - d.input_tokens,
    output_tokens = t.output_tokens - d.output_tokens,
    cached_tokens = t.cached_tokens - d.cached_tokens,
    amount_micro_usd = t.amount_micro_usd - d.amount_micro_usd,
    cost_micro_usd = t.cost_micro_usd - d.cost_micro_usd
  FROM (
    SELECT organization_id, created_at::date AS day, COALESCE(user_id, '') AS user_id,
      COALESCE(provider::text, '') AS provider, COALESCE(model, '') AS model,
      COALESCE(key_source::text, '') AS key_source, kind, count(*) AS entries,
      sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
      sum(cached_tokens) AS cached_tokens, sum(amount_micro_usd) AS amount_micro_usd,
      sum(cost_micro_usd) AS cost_micro_usd
    FROM removed GROUP BY 1, 2, 3, 4, 5, 6, 7
  ) d
  WHERE t.organization_id = d.organization_id AND t.day = d.day AND t.user_id = d.user_id
    AND t.provider = d.provider AND t.model = d.model AND t.key_source = d.key_source AND t.kind = d.kind;
  DELETE FROM ledger_daily_totals WHERE entries <= 0;
  RETURN NULL;
END $$;

CREATE TRIGGER ledger_entries_daily_add AFTER INSERT ON "ledger_entries"
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION ledger_daily_totals_add();
CREATE TRIGGER ledger_entries_daily_remove AFTER DELETE ON "ledger_entries"
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION ledger_daily_totals_remove();

-- Entries written before this migration.
INSERT INTO ledger_daily_totals (organization_id, day, user_id, provider, model, key_source, kind,
  entries, input_tokens, output_tokens, cached_tokens, amount_micro_usd, cost_micro_usd)
SELECT organization_id, created_at::date, COALESCE(user_id, ''), COALESCE(provider::text, ''),
  COALESCE(model, ''), COALESCE(key_source::text, ''), kind, count(*), sum(input_tokens),
  sum(output_tokens), sum(cached_tokens), sum(amount_micro_usd), sum(cost_micro_usd)
FROM ledger_entries GROUP BY 1, 2, 3, 4, 5, 6, 7;
