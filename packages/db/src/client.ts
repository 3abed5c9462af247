import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export type Db = PrismaClient;
/** A Prisma client or an interactive transaction: what services receive. */
export type DbTx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;
/**
 * The plain `pg` pool under a Prisma client, made with it by `createDbClient`. For the few
 * statements run so often that Prisma's own cost per query (about a millisecond of CPU, against a
 * quarter for `pg` with a prepared statement) is most of their price: the runner's event appends and
 * the gateway's metering (and, for its connection settings, the CSV export). Everything else goes
 * through Prisma. Whoever needs it is handed it explicitly.
 */
export type SqlPool = pg.Pool;

/** A Prisma client and the `pg` pool it runs on: one connection budget for both. */
export interface DbClient {
  db: Db;
  pool: SqlPool;
}

export interface CreateDbOptions {
  /** Connections in the pool; the server's pool and the test's pool differ. */
  maxConnections?: number;
}

/** A Prisma client on a `pg` pool of its own, and that pool, for whatever is handed it explicitly. */
export function createDbClient(databaseUrl: string, options: CreateDbOptions = {}): DbClient {
  // One pool for Prisma and the hot paths that bypass it, so there is one connection budget; the
  // adapter ends it on $disconnect.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.maxConnections ?? 10 });
  // An idle connection that PostgreSQL ends (a restart, a failover, an administrator) is reported
  // here; the pool has already dropped it and the next query opens another, so it is no reason to
  // die. Without a listener Node would throw it, taking the process and every session down.
  pool.on("error", () => {});
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  return { db, pool };
}

/** A Prisma client alone, for callers that never use the pool under it (see `createDbClient`). */
export function createDb(databaseUrl: string, options: CreateDbOptions = {}): Db {
  return createDbClient(databaseUrl, options).db;
}

/**
 * An error PostgreSQL reported for a statement, which it then rolled back (so running it again
 * cannot store anything twice), as opposed to a lost connection (it may or may not have committed)
 * or a server that is not taking work: PostgreSQL reports those in the same form, by SQLSTATE
 * class (connection, operator intervention such as a shutdown, resources, authorisation, a
 * database that is gone), and they say nothing about the statement.
 */
export function isStatementError(error: unknown): boolean {
  return error instanceof pg.DatabaseError && !isConnectionError(error);
}

const SERVER_NOT_WORKING = ["08", "57", "53", "28", "3D"];

const NO_ROUTE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  // A Unix socket whose server is gone (an embedded PostgreSQL being restarted).
  "ENOENT",
]);
const LOST_CONNECTION =
  /Connection terminated|Connection ended unexpectedly|connection error|timeout exceeded when trying to connect|Can't reach database server|Server has closed the connection|DatabaseNotReachable|ConnectionClosed/i;
const PRISMA_SQLSTATE = /Code: `([0-9A-Z]{5})`/;
/** Prisma's codes for a database it cannot reach or that closed the connection. */
const PRISMA_UNREACHABLE = new Set(["P1001", "P1002", "P1017"]);

/**
 * The database could not be reached or dropped the connection: nothing about the work itself, and
 * the same work may succeed once it is back. Looks through `cause`, where Prisma and its driver
 * adapter keep the original error.
 */
export function isConnectionError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof pg.DatabaseError)
      return SERVER_NOT_WORKING.some((prefix) => (current as pg.DatabaseError).code?.startsWith(prefix));
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === "string" && (NO_ROUTE.has(code) || PRISMA_UNREACHABLE.has(code))) return true;
    if (typeof message === "string" && LOST_CONNECTION.test(message)) return true;
    // Prisma reports PostgreSQL's own refusals ("the database system is starting up", 57P03) only
    // in its message, as "Code: `57P03`": the same classes as a pg.DatabaseError's code.
    const sqlState = typeof message === "string" ? PRISMA_SQLSTATE.exec(message)?.[1] : undefined;
    if (sqlState && SERVER_NOT_WORKING.some((prefix) => sqlState.startsWith(prefix))) return true;
    current = cause;
  }
  return false;
}
