import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export type Db = PrismaClient;
/** A Prisma client or an interactive transaction: what services receive. */
export type DbTx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;
/** The plain `pg` pool under a Prisma client (see `sqlPoolOf`). */
export type SqlPool = pg.Pool;

export interface CreateDbOptions {
  /** Connections in the pool; the server's pool and the test's pool differ. */
  maxConnections?: number;
}

const pools = new WeakMap<Db, SqlPool>();

export function createDb(databaseUrl: string, options: CreateDbOptions = {}): Db {
  // One pool for Prisma and the hot paths that bypass it, so there is one connection budget; the
  // adapter ends it on $disconnect.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.maxConnections ?? 10 });
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(db, pool);
  return db;
}

/**
 * The `pg` pool a client made by `createDb` runs on. For the few statements run so often that
 * Prisma's own cost per query (about a millisecond of CPU, against a quarter for `pg` with a
 * prepared statement) is most of their price: the runner's event appends. Everything else goes
 * through Prisma.
 */
export function sqlPoolOf(db: Db): SqlPool {
  const pool = pools.get(db);
  if (!pool) throw new Error("sqlPoolOf needs a client made by createDb");
  return pool;
}

/**
 * An error PostgreSQL reported for a statement, which it then rolled back (so running it again
 * cannot store anything twice), as opposed to a lost connection (it may or may not have committed).
 */
export function isStatementError(error: unknown): boolean {
  return error instanceof pg.DatabaseError;
}
