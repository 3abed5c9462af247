import {
  KEY_SOURCES,
  LEDGER_KINDS,
  ledgerFilterSchema,
  ledgerPageInput,
  ledgerSummary,
  ledgerSummaryInput,
  ledgerTotals,
  listLedgerEntries,
  MODEL_PROVIDERS,
} from "@studio/core";
import { z } from "zod";
import { orgProcedure, router } from "../trpc.ts";

const keyProvider = z.enum(MODEL_PROVIDERS);

const entryOutput = z.object({
  id: z.bigint(),
  createdAt: z.date(),
  kind: z.enum(LEDGER_KINDS),
  userId: z.string().nullable(),
  userName: z.string().nullable(),
  sessionId: z.string().nullable(),
  sessionTitle: z.string().nullable(),
  provider: keyProvider.nullable(),
  model: z.string().nullable(),
  keySource: z.enum(KEY_SOURCES).nullable(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cachedTokens: z.number().int(),
  reasoningTokens: z.number().int(),
  usageEstimated: z.boolean(),
  amountMicroUsd: z.bigint(),
  costMicroUsd: z.bigint(),
  balanceAfterMicroUsd: z.bigint(),
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
