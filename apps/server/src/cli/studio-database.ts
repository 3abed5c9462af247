// The studio's database for a command run beside it: `DATABASE_URL`, or the embedded PostgreSQL in
// its data directory (which only one process can hold: stop the studio first). Pending migrations
// are applied first, as the studio would at its next start, so a command run right after an upgrade
// sees the schema it was written for.
import path from "node:path";
import { createDb, type Db } from "@studio/db";
import { applyMigrations } from "@studio/db/migrate";
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from "@studio/db/postgres";
import type { Config } from "../config.ts";

export async function withStudioDatabase<T>(
  config: Pick<Config, "databaseUrl" | "dataDir">,
  use: (db: Db) => Promise<T>,
): Promise<T> {
  let postgres: EmbeddedPostgresHandle | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    postgres = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, "postgres") });
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
