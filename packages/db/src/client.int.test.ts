import { describe, expect, it } from "vitest";
import { createDbClient } from "./client.ts";
import { createEmptyDatabase } from "./testing/empty-database.ts";

describe("the database client", () => {
  it("outlives PostgreSQL ending its idle connections (a restart, a failover), and reconnects", async () => {
    const database = await createEmptyDatabase();
    const { db, pool } = createDbClient(database.url, { maxConnections: 3 });
    try {
      // Three idle connections in the pool.
      await Promise.all([1, 2, 3].map((n) => pool.query("SELECT $1::int AS n, pg_sleep(0.05)", [n])));
      expect(pool.idleCount).toBe(3);
      const ended = new Promise<void>((resolve) =>
        pool.on("remove", () => {
          if (pool.totalCount === 0) resolve();
        }),
      );
      await database.terminateConnections();
      await ended;
      // Node would have thrown the pool's "error" event by now, ending this test's process.
      const { rows } = await pool.query<{ ok: number }>("SELECT 1 AS ok");
      expect(rows).toEqual([{ ok: 1 }]);
      expect(await db.$queryRawUnsafe<{ ok: number }[]>("SELECT 2 AS ok")).toEqual([{ ok: 2 }]);
    } finally {
      await db.$disconnect();
      await database.drop();
    }
  });
});
