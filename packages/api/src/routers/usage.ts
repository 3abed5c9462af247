import {
  ledgerFilterSchema,
  ledgerPageInput,
  ledgerSummary,
  ledgerSummaryInput,
  ledgerTotals,
  listLedgerEntries,
} from "@studio/core";
import { z } from "zod";
import { orgProcedure, router } from "../trpc.ts";

const keyProvider = z.enum(["xai", "anthropic", "openai", "google", "openrouter", "custom"]);

const entryOutput = z.object({
  id: z.bigint(),
  created_at: z.date(),
  kind: z.enum(["usage", "grant", "adjustment", "refund"]),
  user_id: z.string().nullable(),
  user_name: z.string().nullable(),
  session_id: z.string().nullable(),
  session_title: z.string().nullable(),
  provider: keyProvider.nullable(),
  model: z.string().nullable(),
  key_source: z.enum(["direct", "openrouter", "platform"]).nullable(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cached_tokens: z.number().int(),
  reasoning_tokens: z.number().int(),
  usage_estimated: z.boolean(),
  amount_micro_usd: z.bigint(),
  cost_micro_usd: z.bigint(),
  balance_after_micro_usd: z.bigint(),
  reason: z.string().nullable(),
});

const sums = {
  count: z.bigint(),
  inputTokens: z.bigint(),
  outputTokens: z.bigint(),
  cachedTokens: z.bigint(),
  amountMicroUsd: z.bigint(),
  costMicroUsd: z.bigint(),
};

/**
 * The usage ledger. `scope: "organization"` (everyone's entries) is for owners and admins and is
 * refused to members; `scope: "mine"` is anyone's own entries. CSV export: GET /api/usage/ledger.csv.
 */
export const usageRouter = router({
  entries: orgProcedure
    .input(ledgerPageInput)
    .output(z.object({ entries: entryOutput.array(), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => listLedgerEntries(ctx.db, ctx.actor, input)),

  totals: orgProcedure
    .input(z.object({ filter: ledgerFilterSchema }))
    .output(z.object(sums))
    .query(({ ctx, input }) => ledgerTotals(ctx.db, ctx.actor, input.filter)),

  summary: orgProcedure
    .input(ledgerSummaryInput)
    .output(z.object({ key: z.string(), label: z.string(), model: z.string().nullable(), ...sums }).array())
    .query(({ ctx, input }) => ledgerSummary(ctx.db, ctx.actor, input)),
});
