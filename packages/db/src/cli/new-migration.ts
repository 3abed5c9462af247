// `pnpm db:migration <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL
// that brings the committed migrations up to schema.prisma. Needs no network, no native engine and
// no running database (see schema-engine.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { migrationsDir } from "../migrations.ts";
import { diffMigrationsToSchema } from "../schema-engine.ts";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: pnpm db:migration <name>   (lower-case letters, digits and underscores)");
  process.exit(1);
}

const sql = await diffMigrationsToSchema();
if (!sql) {
  console.log("schema.prisma and the migrations agree: nothing to write.");
} else {
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const dir = path.join(migrationsDir, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "migration.sql"), `${sql}\n`);
  console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql: read it, then commit it.`);
}
