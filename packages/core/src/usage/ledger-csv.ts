// The whole filtered ledger as CSV, streamed in keyset batches: memory stays flat however many rows
// there are, and the rows are the same set (and order) the page shows.
import type { DbTx } from "@studio/db";
import { Prisma } from "@studio/db";
import { type LedgerFilter, type LedgerViewer, ledgerWhere } from "./filters.ts";
import { ENTRY_JOINS } from "./ledger-views.ts";

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

// The line is built by PostgreSQL: one text column per row instead of nineteen fields turned into
// JavaScript values and back into text, which is most of an export's cost. RFC 4180 quoting;
// text people typed (names, titles, reasons) gets a leading apostrophe when a spreadsheet would run
// it as a formula. The integration test holds the export to exact lines.
const quoted = (column: Prisma.Sql) =>
  Prisma.sql`CASE WHEN ${column} ~ '[",\r\n]' THEN '"' || replace(${column}, '"', '""') || '"' ELSE ${column} END`;
const text = (column: Prisma.Sql) =>
  quoted(Prisma.sql`(CASE WHEN ${column} ~ '^[=+@\t\r-]' THEN '''' || ${column} ELSE ${column} END)`);
const usd = (column: Prisma.Sql) => Prisma.sql`(${column}::numeric / 1000000)::numeric(30, 6)::text`;

// concat_ws skips NULLs, so every nullable column becomes an empty field explicitly.
const field = (column: Prisma.Sql) => Prisma.sql`COALESCE(${column}, '')`;
const CSV_LINE = Prisma.join(
  [
    Prisma.sql`to_char(e.created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    field(text(Prisma.sql`u.name`)),
    field(Prisma.sql`e.user_id`),
    field(Prisma.sql`e.session_id`),
    field(text(Prisma.sql`s.title`)),
    field(Prisma.sql`e.provider::text`),
    field(text(Prisma.sql`e.model`)),
    field(Prisma.sql`e.key_source::text`),
    Prisma.sql`e.kind::text`,
    Prisma.sql`e.input_tokens::text`,
    Prisma.sql`e.output_tokens::text`,
    Prisma.sql`e.cached_tokens::text`,
    Prisma.sql`e.reasoning_tokens::text`,
    Prisma.sql`e.usage_estimated::text`,
    usd(Prisma.sql`e.amount_micro_usd`),
    usd(Prisma.sql`e.cost_micro_usd`),
    usd(Prisma.sql`e.balance_after_micro_usd`),
    field(text(Prisma.sql`e.reason`)),
  ],
  " || ',' || ",
);

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
    const rows: { line: string; created_at: Date; id: bigint }[] = await db.$queryRaw`
      SELECT ${CSV_LINE} || E'\r\n' AS line, e.created_at, e.id
      FROM (SELECT * FROM ledger_entries WHERE ${where}) e ${ENTRY_JOINS}
      WHERE TRUE ${keyset}
      ORDER BY e.created_at DESC, e.id DESC
      LIMIT ${BATCH}`;
    if (rows.length === 0) return;
    let chunk = "";
    for (const row of rows) chunk += row.line;
    yield chunk;
    const last = rows[rows.length - 1]!;
    after = { at: last.created_at, id: BigInt(last.id) };
    if (rows.length < BATCH) return;
  }
}
