// For the db package's own integration tests: a database of a test's own, empty (testkit's
// clones come migrated already, and db cannot depend on testkit, which depends on db).
import pg from "pg";
import { inject } from "vitest";

// Provided by testkit's global setup.
declare module "vitest" {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

/** An empty database of this test's own; `terminateConnections` ends everyone's connections to it. */
export async function createEmptyDatabase() {
  const adminUrl = inject("postgresAdminUrl");
  const name = `migrate_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    terminateConnections: async () => {
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [name],
      );
    },
    drop: async () => {
      await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}
