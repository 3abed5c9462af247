// The whole filtered ledger as CSV, streamed in keyset batches: memory stays flat however many rows
// there are, and the rows are the same set (and order) the page shows.
import type { DbTx } from "@studio/db";
import { Prisma } from "@studio/db";
import { formatMicroUsd } from "../billing/pricing.ts";
import { type LedgerFilter, type LedgerViewer, ledgerWhere } from "./filters.ts";
import { ENTRY_COLUMNS, ENTRY_JOINS, type LedgerEntryRow } from "./ledger-views.ts";

const BATCH = 5_000;

export const LEDGER_CSV_HEADER = [
  "time",
  "user",
  "user_id",
  "session_id",
  "session_title",
  "provider",
  "model",
  "key_source",
  "kind",
  "input_tokens",
  "output_tokens",
  "cached_tokens",
  "reasoning_tokens",
  "usage_estimated",
  "amount_usd",
  "cost_usd",
  "balance_after_usd",
  "reason",
];

/** RFC 4180 quoting. */
export function csvField(value: string | number | bigint | boolean | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Text people typed (a name, a session title, a reason) gets a leading apostrophe when a spreadsheet
 * would run it as a formula; numbers and amounts are left as they are.
 */
export function csvText(value: string | null): string {
  if (value === null) return "";
  return csvField(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

export function ledgerCsvLine(row: LedgerEntryRow): string {
  return `${[
    csvField(row.created_at.toISOString()),
    csvText(row.user_name),
    csvField(row.user_id),
    csvField(row.session_id),
    csvText(row.session_title),
    csvField(row.provider),
    csvText(row.model),
    csvField(row.key_source),
    csvField(row.kind),
    csvField(row.input_tokens),
    csvField(row.output_tokens),
    csvField(row.cached_tokens),
    csvField(row.reasoning_tokens),
    csvField(row.usage_estimated),
    csvField(formatMicroUsd(BigInt(row.amount_micro_usd))),
    csvField(formatMicroUsd(BigInt(row.cost_micro_usd))),
    csvField(formatMicroUsd(BigInt(row.balance_after_micro_usd))),
    csvText(row.reason),
  ].join(",")}\r\n`;
}

/**
 * Yields the CSV in chunks (the header, then one chunk per batch), newest entry first. The consumer
 * pulls: a slow download holds one batch in memory, not the export.
 */
export async function* ledgerCsv(
  db: DbTx,
  viewer: LedgerViewer,
  filter: LedgerFilter,
): AsyncGenerator<string> {
  const where = ledgerWhere(viewer, filter);
  yield `${LEDGER_CSV_HEADER.join(",")}\r\n`;
  let after: { at: Date; id: bigint } | null = null;
  for (;;) {
    const keyset: Prisma.Sql = after
      ? Prisma.sql`AND (e.created_at, e.id) < (${after.at}, ${after.id})`
      : Prisma.empty;
    const rows: LedgerEntryRow[] = await db.$queryRaw<LedgerEntryRow[]>`
      SELECT ${ENTRY_COLUMNS} FROM (SELECT * FROM ledger_entries WHERE ${where}) e ${ENTRY_JOINS}
      WHERE TRUE ${keyset}
      ORDER BY e.created_at DESC, e.id DESC
      LIMIT ${BATCH}`;
    if (rows.length === 0) return;
    yield rows.map(ledgerCsvLine).join("");
    const last = rows[rows.length - 1]!;
    after = { at: last.created_at, id: BigInt(last.id) };
    if (rows.length < BATCH) return;
  }
}
