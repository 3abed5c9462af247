import type { Db } from "@studio/db";

/** Row counts of every table a procedure can write: equal before and after means nothing was written. */
export async function rowCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db.$queryRaw<{ table_name: string; rows: bigint }[]>`
    SELECT table_name, (xpath('/row/c/text()',
             query_to_xml(format('SELECT count(*) AS c FROM %I', table_name), false, true, '')))[1]::text::bigint AS rows
    FROM information_schema.tables
    WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
    ORDER BY table_name`;
  return Object.fromEntries(rows.map((row) => [row.table_name, Number(row.rows)]));
}
