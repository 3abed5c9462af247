// The query behind the CSV export of the ledger (streamed by the server with `copyCsvOut`): the same
// entries, in the same order, as the page shows.
import { Prisma } from "@studio/db";
import { type LedgerFilter, type LedgerViewer, ledgerWhere } from "./filters.ts";
import { ENTRY_JOINS } from "./ledger-views.ts";

// PostgreSQL writes the CSV (COPY … FORMAT csv: RFC 4180 quoting and LF line ends, which every
// spreadsheet and CSV reader takes), so an export costs the server little more than its scan. Text
// people typed (names, titles, reasons) gets a leading apostrophe when a spreadsheet would run it
// as a formula. NULL is an empty field. The integration test holds the export to exact lines.
const FORMULA_STARTS = Prisma.sql`('=', '+', '-', '@', E'\t', E'\r')`;
const typed = (column: Prisma.Sql) =>
  Prisma.sql`CASE WHEN left(${column}, 1) IN ${FORMULA_STARTS} THEN '''' || ${column} ELSE ${column} END`;
const usd = (column: Prisma.Sql) => Prisma.sql`(${column}::numeric / 1000000)::numeric(30, 6)`;

/** The export's columns in order: the header names and how each field is written. */
const COLUMNS: [name: string, value: Prisma.Sql][] = [
  ["time", Prisma.sql`to_char(e.created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`],
  ["user", typed(Prisma.sql`u.name`)],
  ["user_id", Prisma.sql`e.user_id`],
  ["session_id", Prisma.sql`e.session_id`],
  ["session_title", typed(Prisma.sql`s.title`)],
  ["provider", Prisma.sql`e.provider`],
  ["model", typed(Prisma.sql`e.model`)],
  ["key_source", Prisma.sql`e.key_source`],
  ["kind", Prisma.sql`e.kind`],
  ["input_tokens", Prisma.sql`e.input_tokens`],
  ["output_tokens", Prisma.sql`e.output_tokens`],
  ["cached_tokens", Prisma.sql`e.cached_tokens`],
  ["reasoning_tokens", Prisma.sql`e.reasoning_tokens`],
  ["usage_estimated", Prisma.sql`e.usage_estimated::text`],
  ["amount_usd", usd(Prisma.sql`e.amount_micro_usd`)],
  ["cost_usd", usd(Prisma.sql`e.cost_micro_usd`)],
  ["balance_after_usd", usd(Prisma.sql`e.balance_after_micro_usd`)],
  ["reason", typed(Prisma.sql`e.reason`)],
];
/**
 * The export's query: the filter's entries, newest first. Throws FORBIDDEN, before anything is
 * opened, when the viewer may not see the filter's scope.
 */
export function ledgerCsvQuery(viewer: LedgerViewer, filter: LedgerFilter): Prisma.Sql {
  const where = ledgerWhere(viewer, filter);
  const columns = Prisma.join(
    COLUMNS.map(([name, value]) => Prisma.sql`${value} AS ${Prisma.raw(`"${name}"`)}`),
  );
  return Prisma.sql`
    SELECT ${columns}
    FROM (SELECT * FROM ledger_entries WHERE ${where}) e ${ENTRY_JOINS}
    ORDER BY e.created_at DESC, e.id DESC`;
}
