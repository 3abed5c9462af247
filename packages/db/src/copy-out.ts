// Streaming a query's rows out as CSV with PostgreSQL's COPY: the server writes the CSV and the
// bytes pass through untouched, several times faster than reading rows into JavaScript values and
// formatting them again (see docs/benchmarks.md, usage ledger).
import type { Readable } from "node:stream";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import type { SqlPool } from "./client.ts";
import type { Prisma } from "./generated/prisma/client.ts";

/**
 * COPY takes no bind parameters, so the query's values are written into its text as literals,
 * escaped by `pg`. Only the kinds of value a filter holds are accepted; anything else is a bug in
 * the caller and fails before a byte is sent.
 */
export function inlineSql(query: Prisma.Sql): string {
  let text = query.strings[0] ?? "";
  query.values.forEach((value, index) => {
    text += literal(value) + (query.strings[index + 1] ?? "");
  });
  return text;
}

function literal(value: unknown): string {
  if (value === null) return "NULL";
  if (typeof value === "string") return pg.escapeLiteral(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (value instanceof Date && !Number.isNaN(value.getTime())) return pg.escapeLiteral(value.toISOString());
  if (Array.isArray(value)) return `ARRAY[${value.map(literal).join(", ")}]`;
  throw new TypeError(`Cannot write a ${typeof value} into a COPY statement`);
}

/**
 * `COPY (query) TO STDOUT` as CSV with a header row (the query's column names). It runs on a
 * connection of its own with `pool`'s settings, opened here and closed when the stream ends, fails or is destroyed: a slow
 * download holds that connection, never one of the pool's. Reading is paced by the consumer, so
 * memory stays flat however many rows there are.
 */
export async function copyCsvOut(pool: SqlPool, query: Prisma.Sql): Promise<Readable> {
  const statement = `COPY (${inlineSql(query)}) TO STDOUT WITH (FORMAT csv, HEADER)`;
  const client = new pg.Client(pool.options);
  await client.connect();
  try {
    // A download is paced by its reader and may stall for minutes; parallel workers would sit idle
    // that long, taken from the cluster's small shared set (8 by default: four stalled exports held
    // seven). The export is bound by the reader, not the scan, so one process serves it.
    await client.query("SET max_parallel_workers_per_gather = 0");
    const stream = client.query(copyTo(statement));
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      client.end().catch(() => {});
    };
    stream.once("end", close);
    stream.once("error", close);
    stream.once("close", close);
    // An error the server reports is raised on the client as well as on the stream; the stream's
    // consumer handles it, so the client's copy must not go unhandled.
    client.on("error", () => {});
    return stream;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}
