// The studio's database for a command run beside it: `DATABASE_URL`, or the embedded PostgreSQL in
// its data directory: the running studio's cluster when it runs, else one started for the command.
// Pending migrations are applied first, as the studio would at its next start, so a command run
// right after an upgrade sees the schema it was written for.
import path from "node:path";
import { createDb, type Db } from "@studio/db";
import { applyMigrations } from "@studio/db/migrate";
import {
  type EmbeddedPostgresHandle,
  runningEmbeddedPostgresUrl,
  startEmbeddedPostgres,
} from "@studio/db/postgres";
import type { Config } from "../config.ts";

export async function withStudioDatabase<T>(
  config: Pick<Config, "databaseUrl" | "dataDir">,
  use: (db: Db) => Promise<T>,
): Promise<T> {
  let postgres: EmbeddedPostgresHandle | null = null;
  const clusterDir = path.join(config.dataDir, "postgres");
  let databaseUrl = config.databaseUrl ?? runningEmbeddedPostgresUrl(clusterDir);
  if (!databaseUrl) {
    postgres = await startEmbeddedPostgres({ dataDir: clusterDir });
    databaseUrl = postgres.url;
  }
  try {
    await applyMigrations(databaseUrl);
    const db = createDb(databaseUrl, { maxConnections: 2 });
    try {
      return await use(db);
    } finally {
      await db.$disconnect();
    }
  } finally {
    await postgres?.stop();
  }
}
