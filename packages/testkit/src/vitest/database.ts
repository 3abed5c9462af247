import type { Db, SqlPool } from "@studio/db";
import { afterAll, beforeAll, inject } from "vitest";
import { createTestDatabase, type TestDatabase } from "../postgres.ts";
import "./provided.ts";

/** A migrated database of this test file's own, created before its tests and dropped after. */
export function useTestDatabase(): { readonly db: Db; readonly pool: SqlPool; readonly url: string } {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(inject("postgresAdminUrl"));
  });
  afterAll(async () => {
    await database?.drop();
  });
  return {
    get db() {
      if (!database) throw new Error("the test database is created in beforeAll");
      return database.db;
    },
    get pool() {
      if (!database) throw new Error("the test database is created in beforeAll");
      return database.pool;
    },
    get url() {
      if (!database) throw new Error("the test database is created in beforeAll");
      return database.url;
    },
  };
}
