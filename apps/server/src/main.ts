// `npm start`: PostgreSQL (embedded unless DATABASE_URL is set), migrations, then the studio on one
// origin. Ctrl-C (or SIGTERM) stops everything this process started.
import path from "node:path";
import { seedListPrices } from "@studio/core";
import { createDb } from "@studio/db";
import { applyMigrations } from "@studio/db/migrate";
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from "@studio/db/postgres";
import { createStudioServer } from "./app.ts";
import { loadConfig } from "./config.ts";
import { loadKeyring } from "./keyring.ts";
import { createLogger } from "./logger.ts";
import { createSessionRuntime } from "./runtime.ts";

const config = loadConfig();
const logger = createLogger(config.logLevel);
const { keyring, createdFile } = loadKeyring(config);

let postgres: EmbeddedPostgresHandle | null = null;
let databaseUrl = config.databaseUrl;
if (!databaseUrl) {
  postgres = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, "postgres") });
  databaseUrl = postgres.url;
}

const migrations = await applyMigrations(databaseUrl);
const db = createDb(databaseUrl);
await seedListPrices(db);
let listeningPort = config.port;
const runtime = await createSessionRuntime({
  config,
  db,
  databaseUrl,
  logger,
  gatewayUrl: () => `${config.gatewayPublicUrl ?? `http://127.0.0.1:${listeningPort}`}/api/llm`,
  keyring,
});
const studio = createStudioServer({ config, db, logger, sessions: runtime.sessions, keyring });
const url = await studio.listen();
listeningPort = studio.port();
await runtime.startRunners();

const where = postgres
  ? `embedded PostgreSQL on port ${postgres.port}, data in ${postgres.dataDir}`
  : "PostgreSQL at DATABASE_URL";
logger.info({ url, migrationsApplied: migrations.applied }, "studio started");
console.log(
  [
    "",
    `  Studio is running at ${url}`,
    `  Database: ${where}`,
    `  Migrations: ${migrations.applied.length} applied now, ${migrations.alreadyApplied} already in place`,
    ...(createdFile
      ? [
          `  Generated the master key that seals provider keys: ${createdFile}`,
          "  Back it up: without it, stored provider keys cannot be read.",
        ]
      : []),
    "  Press Ctrl-C to stop.",
    "",
  ].join("\n"),
);

// A bug in background work must not take every session on this replica down with it.
process.on("unhandledRejection", (reason) => {
  logger.error(
    { err: reason instanceof Error ? { message: reason.message, stack: reason.stack } : reason },
    "unhandled rejection",
  );
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "stopping");
  await studio.close();
  await studio.gateway.settled();
  await runtime.stop();
  await db.$disconnect();
  await postgres?.stop().catch(() => {});
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
