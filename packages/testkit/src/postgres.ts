import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDbClient, type Db, type SqlPool } from "@studio/db";
import { applyMigrations } from "@studio/db/migrate";
import { startEmbeddedPostgres } from "@studio/db/postgres";
import pg from "pg";

export const TEMPLATE_DATABASE = "studio_template";

export interface TestPostgres {
  /** URL of the maintenance database, for creating per-test databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * A throwaway real PostgreSQL with a migrated template database that tests clone. Tests skip
 * durability (fsync, synchronous commit) to save time; `durable` keeps it, as `npm start` and
 * production run, so benchmarks measure the commits the studio really waits for.
 */
export async function startTestPostgres(options: { durable?: boolean } = {}): Promise<TestPostgres> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "studio-test-pg-"));
  const postgres = await startEmbeddedPostgres({
    // A directory of its own inside the temporary one, which also holds its password file.
    dataDir: path.join(dataDir, "cluster"),
    database: TEMPLATE_DATABASE,
    ephemeral: !options.durable,
  });
  await applyMigrations(postgres.url);
  return {
    adminUrl: postgres.adminUrl,
    async stop() {
      await postgres.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestDatabase {
  url: string;
  db: Db;
  /** The `pg` pool under `db`, for what takes it explicitly (event appends, metering). */
  pool: SqlPool;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const next = new URL(url);
  next.pathname = `/${database}`;
  return next.toString();
}

/** A fresh, migrated database cloned from the template: fast, and isolated from other test files. */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DATABASE}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const { db, pool } = createDbClient(url, { maxConnections: 20 });
  return {
    url,
    db,
    pool,
    async drop() {
      await db.$disconnect();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => client.end());
    },
  };
}
