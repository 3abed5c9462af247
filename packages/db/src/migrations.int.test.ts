import pg from "pg";
import { describe, expect, it } from "vitest";
import { applyMigrations } from "./migrate.ts";
import { readMigrations } from "./migrations.ts";
import { diffMigrationsToSchema } from "./schema-engine.ts";
import { createEmptyDatabase } from "./testing/empty-database.ts";

describe("migrations", () => {
  it("bring a database exactly to schema.prisma (no drift)", { timeout: 120_000 }, async () => {
    const drift = await diffMigrationsToSchema();
    expect(drift, "schema.prisma changed without a migration: run `pnpm db:migration <name>`").toBe("");
  });

  it("are recorded as `prisma migrate deploy` records them, and applying again does nothing", async () => {
    const database = await createEmptyDatabase();
    try {
      const first = await applyMigrations(database.url);
      expect(first).toEqual({ applied: readMigrations().map((m) => m.name), alreadyApplied: 0 });
      const again = await applyMigrations(database.url);
      expect(again).toEqual({ applied: [], alreadyApplied: readMigrations().length });
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query(
        "SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name",
      );
      await client.end();
      expect(rows.map((row) => [row.migration_name, row.checksum, row.applied_steps_count])).toEqual(
        readMigrations().map((migration) => [migration.name, migration.checksum, 1]),
      );
      expect(rows.every((row) => row.finished_at instanceof Date)).toBe(true);
    } finally {
      await database.drop();
    }
  });

  it("refuse an applied migration whose file changed, and roll back a failing one", async () => {
    const database = await createEmptyDatabase();
    try {
      await applyMigrations(database.url);
      const [first] = readMigrations();
      const edited = [{ ...first!, checksum: "0".repeat(64) }];
      await expect(applyMigrations(database.url, edited)).rejects.toThrow(/was changed after it was applied/);

      const broken = {
        name: "99990101000000_broken",
        sql: "CREATE TABLE half_done (id int); SELECT 1/0;",
        checksum: "x",
      };
      await expect(applyMigrations(database.url, [...readMigrations(), broken])).rejects.toThrow(
        /broken failed/,
      );
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const table = await client.query("SELECT to_regclass('half_done') AS t");
      const recorded = await client.query("SELECT 1 FROM _prisma_migrations WHERE migration_name = $1", [
        broken.name,
      ]);
      await client.end();
      expect(table.rows[0].t).toBeNull();
      expect(recorded.rowCount).toBe(0);
    } finally {
      await database.drop();
    }
  });

  it("make an existing studio's oldest account its platform admin, and no one else", async () => {
    const database = await createEmptyDatabase();
    try {
      const all = readMigrations();
      const at = all.findIndex((migration) => migration.name.endsWith("_platform_admins"));
      expect(at).toBeGreaterThan(0);
      await applyMigrations(database.url, all.slice(0, at));
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query(`
          INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES
            ('later', 'later@example.com', 'Later', 'x', now(), now()),
            ('founder', 'founder@example.com', 'Founder', 'x', now() - interval '1 day', now()),
            ('latest', 'latest@example.com', 'Latest', 'x', now() + interval '1 day', now())`);
        await applyMigrations(database.url, all);
        const { rows } = await client.query("SELECT id FROM users WHERE platform_admin ORDER BY id");
        expect(rows).toEqual([{ id: "founder" }]);
      } finally {
        await client.end();
      }
    } finally {
      await database.drop();
    }
  });
});
