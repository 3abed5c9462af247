// Loads Prisma's schema engine compiled to WebAssembly, so migrations can be authored and checked
// on machines where the Prisma CLI cannot download its native engine. The engine's JS API is
// internal to Prisma: the versions are pinned together in the workspace catalog.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { migrationsDir, readMigrations, schemaPath } from "./migrations.ts";

const require = createRequire(import.meta.url);

// Node has WebAssembly; @types/node does not declare it (it lives in the DOM library).
interface WasmRuntime {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: object } }>;
}
const { WebAssembly } = globalThis as unknown as { WebAssembly: WasmRuntime };

interface EngineBindings {
  __wbg_set_wasm(exports: object): void;
  SchemaEngine: {
    new: (config: object, log: (message: string) => void, adapter: object) => Promise<SchemaEngine>;
  };
}

export interface SchemaEngine {
  diff(params: unknown): Promise<{ exitCode: number; stdout: string }>;
  free(): void;
}

const noFilters = { externalTables: [], externalEnums: [] };

/**
 * The engine runs against an in-memory PGlite (PostgreSQL compiled to WebAssembly): it needs a
 * database only to replay migrations into a shadow one, and `@prisma/adapter-pg` cannot serve the
 * engine's catalogue queries ("Column type 'char' could not be deserialized").
 */
export async function openSchemaEngine(): Promise<SchemaEngine> {
  const bindingsPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const bindings = (await import(bindingsPath)) as EngineBindings;
  const wasm = readFileSync(path.join(path.dirname(bindingsPath), "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(wasm, { "./schema_engine_bg.js": bindings });
  bindings.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();

  const schema = readFileSync(schemaPath, "utf8");
  const factory = new PrismaPGlite(new PGlite("memory://studio"));
  return bindings.SchemaEngine.new(
    { datamodels: [[schemaPath, schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(factory),
  );
}

/** The migrations folder in the shape the engine expects. */
function migrationsList() {
  return {
    baseDir: migrationsDir,
    lockfile: { path: "migration_lock.toml", content: 'provider = "postgresql"\n' },
    shadowDbInitScript: "",
    migrationDirectories: readMigrations().map((migration) => ({
      path: migration.name,
      migrationFile: { path: "migration.sql", content: { tag: "ok", value: migration.sql } },
    })),
  };
}

/**
 * SQL that takes a database built from the committed migrations to `schema.prisma`; empty when they
 * agree. The engine replays the migrations into an in-memory shadow database.
 */
export async function diffMigrationsToSchema(): Promise<string> {
  const engine = await openSchemaEngine();
  try {
    const schema = readFileSync(schemaPath, "utf8");
    const result = await engine.diff({
      from: { tag: "migrations", ...migrationsList() },
      to: { tag: "schemaDatamodel", files: [{ path: schemaPath, content: schema }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    return result.stdout.replace(/^-- This is an empty migration\.\s*$/m, "").trim();
  } finally {
    engine.free();
  }
}
