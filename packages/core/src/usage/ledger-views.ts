// Reading the ledger: a page of entries (keyset cursor, stable while new entries arrive), totals
// over the whole filtered set, and summaries grouped by day, model, provider, user or key source.
import type { DbTx } from "@studio/db";
import { Prisma } from "@studio/db";
import type { KeySource, ModelProvider } from "@studio/models";
import { z } from "zod";
import { AppError } from "../shared/errors.ts";
import { splitByWholeDays } from "./day-split.ts";
import {
  dailyTotalsWhere,
  type LedgerFilter,
  type LedgerViewer,
  ledgerFilterSchema,
  ledgerWhere,
} from "./filters.ts";

export const ledgerPageInput = z.object({
  filter: ledgerFilterSchema,
  limit: z.number().int().min(1).max(200).default(50),
  /** The last entry of the previous page, `<created_at ms>|<id>`. */
  cursor: z.string().max(60).nullish(),
});

export const ledgerSummaryInput = z.object({
  filter: ledgerFilterSchema,
  groupBy: z.enum(["day", "model", "provider", "user", "keySource"]),
});

export interface LedgerEntryRow {
  id: bigint;
  created_at: Date;
  kind: "usage" | "grant" | "adjustment" | "refund";
  user_id: string | null;
  user_name: string | null;
  session_id: string | null;
  session_title: string | null;
  provider: ModelProvider | null;
  model: string | null;
  key_source: KeySource | null;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  usage_estimated: boolean;
  amount_micro_usd: bigint;
  cost_micro_usd: bigint;
  balance_after_micro_usd: bigint;
  reason: string | null;
}

/** A ledger entry as the API returns it (the CSV export keeps the column names of `LedgerEntryRow`). */
export interface LedgerEntry {
  id: bigint;
  createdAt: Date;
  kind: LedgerEntryRow["kind"];
  userId: string | null;
  userName: string | null;
  sessionId: string | null;
  sessionTitle: string | null;
  provider: ModelProvider | null;
  model: string | null;
  keySource: LedgerEntryRow["key_source"];
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  usageEstimated: boolean;
  amountMicroUsd: bigint;
  costMicroUsd: bigint;
  balanceAfterMicroUsd: bigint;
  reason: string | null;
}

function toLedgerEntry(row: LedgerEntryRow): LedgerEntry {
  return {
    id: row.id,
    createdAt: row.created_at,
    kind: row.kind,
    userId: row.user_id,
    userName: row.user_name,
    sessionId: row.session_id,
    sessionTitle: row.session_title,
    provider: row.provider,
    model: row.model,
    keySource: row.key_source,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cachedTokens: row.cached_tokens,
    reasoningTokens: row.reasoning_tokens,
    usageEstimated: row.usage_estimated,
    amountMicroUsd: row.amount_micro_usd,
    costMicroUsd: row.cost_micro_usd,
    balanceAfterMicroUsd: row.balance_after_micro_usd,
    reason: row.reason,
  };
}

function parseCursor(cursor: string): { at: Date; id: bigint } {
  const [time, id] = cursor.split("|");
  const at = new Date(Number(time));
  if (!id || !/^\d+$/.test(id) || Number.isNaN(at.getTime()))
    throw new AppError("BAD_REQUEST", "Invalid cursor.");
  return { at, id: BigInt(id) };
}

/** The columns every view of an entry shows, with the names of its user and session. */
export const ENTRY_COLUMNS = Prisma.sql`
  e.id, e.created_at, e.kind, e.user_id, u.name AS user_name, e.session_id, s.title AS session_title,
  e.provider, e.model, e.key_source, e.input_tokens, e.output_tokens, e.cached_tokens, e.reasoning_tokens,
  e.usage_estimated, e.amount_micro_usd, e.cost_micro_usd, e.balance_after_micro_usd, e.reason`;
export const ENTRY_JOINS = Prisma.sql`
  LEFT JOIN users u ON u.id = e.user_id LEFT JOIN studio_sessions s ON s.id = e.session_id`;

/** Newest first. Entries written after the first page sort before it, so later pages neither repeat nor skip. */
export async function listLedgerEntries(
  db: DbTx,
  viewer: LedgerViewer,
  input: z.infer<typeof ledgerPageInput>,
) {
  const where = ledgerWhere(viewer, input.filter);
  const after = input.cursor ? parseCursor(input.cursor) : null;
  const keyset = after ? Prisma.sql`AND (e.created_at, e.id) < (${after.at}, ${after.id})` : Prisma.empty;
  const rows = await db.$queryRaw<LedgerEntryRow[]>`
    SELECT ${ENTRY_COLUMNS} FROM (SELECT * FROM ledger_entries WHERE ${where}) e ${ENTRY_JOINS}
    WHERE TRUE ${keyset}
    ORDER BY e.created_at DESC, e.id DESC
    LIMIT ${input.limit + 1}`;
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    entries: page.map(toLedgerEntry),
    nextCursor: rows.length > input.limit && last ? `${last.created_at.getTime()}|${last.id}` : null,
  };
}

export interface LedgerTotals {
  count: bigint;
  inputTokens: bigint;
  outputTokens: bigint;
  cachedTokens: bigint;
  /** Sum of balance movements: charges are negative, grants positive. */
  amountMicroUsd: bigint;
  /** Sum of what the usage cost at the prices used, whoever paid. */
  costMicroUsd: bigint;
}

/**
 * The parts a totals or summary query adds up: the daily totals for whole days, and the entries
 * themselves for partial days at either end (and for a session filter, which the daily totals do
 * not carry). Each part yields the same columns: key, model and the sums.
 */
function parts(
  viewer: LedgerViewer,
  filter: LedgerFilter,
  keys: { daily: Prisma.Sql; entries: Prisma.Sql; dailyModel: Prisma.Sql; entriesModel: Prisma.Sql },
): Prisma.Sql {
  ledgerWhere(viewer, filter); // the access rules, before anything is read
  const fromEntries = (range: LedgerFilter) => Prisma.sql`
    SELECT ${keys.entries} AS key, ${keys.entriesModel} AS model, count(*)::bigint AS entries,
      sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens,
      sum(cached_tokens)::bigint AS cached_tokens, sum(amount_micro_usd)::bigint AS amount,
      sum(cost_micro_usd)::bigint AS cost
    FROM ledger_entries WHERE ${ledgerWhere(viewer, range)} GROUP BY 1, 2`;
  if (filter.sessionId) return fromEntries(filter);
  const split = splitByWholeDays(filter.from, filter.to);
  const selects = split.partial.map((range) => fromEntries({ ...filter, from: range.from, to: range.to }));
  if (split.wholeDays) {
    selects.push(Prisma.sql`
      SELECT ${keys.daily} AS key, ${keys.dailyModel} AS model, sum(entries)::bigint AS entries,
        sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens,
        sum(cached_tokens)::bigint AS cached_tokens, sum(amount_micro_usd)::bigint AS amount,
        sum(cost_micro_usd)::bigint AS cost
      FROM ledger_daily_totals WHERE ${dailyTotalsWhere(viewer, filter, split.wholeDays)} GROUP BY 1, 2`);
  }
  return selects.length > 0 ? Prisma.join(selects, " UNION ALL ") : fromEntries(filter);
}

interface SumRow {
  key: string;
  model: string;
  entries: bigint | null;
  input_tokens: bigint | null;
  output_tokens: bigint | null;
  cached_tokens: bigint | null;
  amount: bigint | null;
  cost: bigint | null;
}

const SUMS = Prisma.sql`sum(entries)::bigint AS entries, sum(input_tokens)::bigint AS input_tokens,
  sum(output_tokens)::bigint AS output_tokens, sum(cached_tokens)::bigint AS cached_tokens,
  sum(amount)::bigint AS amount, sum(cost)::bigint AS cost`;

const sums = (row: SumRow | undefined) => ({
  count: BigInt(row?.entries ?? 0n),
  inputTokens: BigInt(row?.input_tokens ?? 0n),
  outputTokens: BigInt(row?.output_tokens ?? 0n),
  cachedTokens: BigInt(row?.cached_tokens ?? 0n),
  amountMicroUsd: BigInt(row?.amount ?? 0n),
  costMicroUsd: BigInt(row?.cost ?? 0n),
});

/** Sums over every entry the filter matches, never over one page. */
export async function ledgerTotals(
  db: DbTx,
  viewer: LedgerViewer,
  filter: LedgerFilter,
): Promise<LedgerTotals> {
  const none = Prisma.sql`''`;
  const [row] = await db.$queryRaw<SumRow[]>`
    SELECT '' AS key, '' AS model, ${SUMS}
    FROM (${parts(viewer, filter, { daily: none, entries: none, dailyModel: none, entriesModel: none })}) p`;
  return sums(row);
}

// Days in UTC, so everyone sharing a link sees the same buckets. Empty strings stand for "none".
const GROUP_KEYS = {
  day: {
    daily: Prisma.sql`to_char(day, 'YYYY-MM-DD')`,
    entries: Prisma.sql`to_char(created_at, 'YYYY-MM-DD')`,
  },
  model: { daily: Prisma.sql`model`, entries: Prisma.sql`COALESCE(model, '')` },
  provider: { daily: Prisma.sql`provider`, entries: Prisma.sql`COALESCE(provider::text, '')` },
  user: { daily: Prisma.sql`user_id`, entries: Prisma.sql`COALESCE(user_id, '')` },
  keySource: { daily: Prisma.sql`key_source`, entries: Prisma.sql`COALESCE(key_source::text, '')` },
} as const;

/**
 * Grouped sums. By day, each day is also split by model, so a chart can stack spend by model; the
 * table sums those splits per day.
 */
export async function ledgerSummary(
  db: DbTx,
  viewer: LedgerViewer,
  input: z.infer<typeof ledgerSummaryInput>,
) {
  const group = GROUP_KEYS[input.groupBy];
  const byDay = input.groupBy === "day";
  const rows = await db.$queryRaw<SumRow[]>`
    SELECT key, model, ${SUMS}
    FROM (${parts(viewer, input.filter, {
      daily: group.daily,
      entries: group.entries,
      dailyModel: byDay ? Prisma.sql`model` : Prisma.sql`''`,
      entriesModel: byDay ? Prisma.sql`COALESCE(model, '')` : Prisma.sql`''`,
    })}) p
    GROUP BY key, model ORDER BY key, model`;
  const names =
    input.groupBy === "user"
      ? new Map(
          (
            await db.user.findMany({
              where: { id: { in: [...new Set(rows.map((row) => row.key).filter(Boolean))] } },
              select: { id: true, name: true },
            })
          ).map((user) => [user.id, user.name]),
        )
      : null;
  return rows.map((row) => ({
    key: row.key,
    label: names ? (names.get(row.key) ?? "—") : row.key || "—",
    model: byDay ? row.model : null,
    ...sums(row),
  }));
}
