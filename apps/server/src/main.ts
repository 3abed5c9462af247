// `npm start`: PostgreSQL (embedded unless DATABASE_URL is set), migrations, then the studio on one
// origin. Ctrl-C, SIGTERM, or closing the terminal it runs in (SIGHUP) stops everything this process
// started.
//
// Run it as `node --import tsx src/main.ts`, never through the `tsx` command: that one runs the
// script in a child process and, on SIGINT/SIGTERM, SIGKILLs the child unless the child reports the
// signal back within 30 ms (twice: again after relaying the signal itself). A signal to the whole
// process group (Ctrl-C, Playwright, systemd) reaches both at once; the first report can arrive
// before tsx waits for it, and a studio busy for a moment then misses the second window: it is
// killed in the middle of its shutdown, its sandboxes left running with nobody to end them.
import path from "node:path";
import { configurePasswordHashing, seedListPrices } from "@studio/core";
import { createDbClient, isConnectionError } from "@studio/db";
import { applyMigrations } from "@studio/db/migrate";
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from "@studio/db/postgres";
import { createStudioServer } from "./app.ts";
import { isLoopbackHost, loadConfig } from "./config.ts";
import { loadKeyring } from "./keyring.ts";
import { createLogger } from "./logger.ts";
import { createSessionRuntime } from "./runtime.ts";
import { ignoreLostOutput, settleWithin } from "./shutdown.ts";

// Whoever reads our output (a terminal, pnpm's parent, Playwright) may be gone before we are.
ignoreLostOutput();

const config = loadConfig();
// scrypt shares libuv's thread pool with file, DNS and TLS work: size its limit from the pool.
configurePasswordHashing({ threadPoolSize: Number(process.env.UV_THREADPOOL_SIZE) || 4 });
const logger = createLogger(config.logLevel);
const { keyring, createdFile } = loadKeyring(config);

let postgres: EmbeddedPostgresHandle | null = null;
let databaseUrl = config.databaseUrl;
if (!databaseUrl) {
  const log = logger.child({ component: "postgres" });
  postgres = await startEmbeddedPostgres({
    dataDir: path.join(config.dataDir, "postgres"),
    // Nothing else would start it again: a dead cluster is an outage the sessions ride out
    // (`/api/health` says "degraded" meanwhile), not the end of the studio.
    supervise: {
      onDown: (pid) => log.error({ pid }, "embedded PostgreSQL stopped; starting it again"),
      onRestartFailed: (attempt, error, retryInMs) =>
        log.warn({ attempt, retryInMs, err: (error as Error).message }, "embedded PostgreSQL did not start"),
      onRestarted: (pid, attempts, downForMs) =>
        log.info({ pid, attempts, downForMs }, "embedded PostgreSQL is back"),
    },
  });
  databaseUrl = postgres.url;
}

// An external database that is not up yet (restarting, failing over, started alongside the studio)
// is waited for, as the runners wait for it later; anything else stops the start.
async function migrateOnceReachable(url: string) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await applyMigrations(url);
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      const retryInMs = Math.min(500 * 2 ** attempt, 10_000);
      logger.warn({ err: (error as Error).message, retryInMs }, "waiting for the database");
      await new Promise((resolve) => setTimeout(resolve, retryInMs));
    }
  }
}
const migrations = await migrateOnceReachable(databaseUrl);
// The Prisma client and the `pg` pool under it, handed to what takes the pool (appends, metering).
const { db, pool } = createDbClient(databaseUrl);
await seedListPrices(db);
let listeningPort = config.port;
const runtime = await createSessionRuntime({
  config,
  db,
  pool,
  databaseUrl,
  logger,
  gatewayUrl: () => `${config.gatewayPublicUrl ?? `http://127.0.0.1:${listeningPort}`}/api/llm`,
  keyring,
});
const studio = createStudioServer({
  config,
  db,
  pool,
  logger,
  sessions: runtime.sessions,
  keyring,
  notifications: runtime.notifications,
});
const url = await studio.listen();
listeningPort = studio.port();
await runtime.startRunners();

if (!config.publicUrl && !isLoopbackHost(config.host)) {
  // Requests naming the studio otherwise than PUBLIC_URL or a loopback name are refused (421).
  logger.warn(
    { host: config.host },
    "HOST is reachable from other machines but PUBLIC_URL is unset: only http://localhost names are answered. Set PUBLIC_URL to the address people use.",
  );
}

const where = postgres
  ? `embedded PostgreSQL (Unix socket only), data in ${postgres.dataDir}`
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

/** Steps that wait on the database or on clients: bounded, since either may be gone already. */
const STEP_MS = 5_000;

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  // The signal may have reached PostgreSQL too: its exit from now on is no death to recover from.
  void postgres?.unsupervise();
  logger.info({ signal }, "stopping");
  // A signal to the whole process group has reached the embedded PostgreSQL too, which now refuses
  // new connections: no step may hold up the ones after it, and `runtime.stop` ends the sandboxes
  // whatever the database does. PostgreSQL is stopped last, once nothing needs it.
  await settleWithin(logger, "http server", () => studio.close(), STEP_MS);
  await settleWithin(logger, "gateway", () => studio.gateway.settled(), STEP_MS);
  await runtime.stop();
  await settleWithin(logger, "database client", () => db.$disconnect(), STEP_MS);
  if (postgres) {
    const cluster = postgres;
    await settleWithin(logger, "embedded PostgreSQL", () => cluster.stop(), 3 * STEP_MS);
  }
  process.exit(0);
}
// SIGHUP is a closed terminal (or an SSH session gone): Node would exit at once, leaving the
// sandboxes, which run in sessions of their own, with nobody to end them.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
  process.on(signal, () => void shutdown(signal));
