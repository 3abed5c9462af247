// `pnpm test:e2e:cleanup [--run <id>]`: removes what past runs made on a studio, through its API.
// For every account the runs recorded (run-registry.ts) on the studio at E2E_BASE_URL (or the local
// default): sign in; in each organisation it owns, stop live sessions, then delete the organisation
// (a personal workspace instead lets its other members go); then delete every account, in rounds,
// since one account may wait on another's. What could not be removed stays recorded, with why.
import { pathToFileURL } from "node:url";
import { LIVE_STATUSES } from "@studio/models/lists";
import { type RegistryAccount, readRun, recordedRuns, rewriteRun, runsDir } from "./run-registry.ts";

/** How long a stopped session's sandbox may take to come down before its organisation can go. */
const SHUTDOWN_WAIT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;

export interface CleanupOptions {
  /** The studio's origin. */
  baseURL: string;
  /** One run, or every recorded run. */
  runId?: string;
  dir?: string;
  log?: (line: string) => void;
}

export interface CleanupOutcome {
  removed: { email: string; runId: string; organizations: string[] }[];
  /** Recorded, but no longer (or never) on the studio: signing in says there is no such account. */
  absent: { email: string; runId: string }[];
  failed: { email: string; runId: string; reason: string }[];
  /** Runs recorded for other studios, left alone. */
  skipped: { email: string; runId: string; studio: string }[];
}

class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The studio's tRPC API as a browser session sees it: a cookie, and the studio's own origin. */
class StudioSession {
  private cookie: string | null = null;

  constructor(private readonly baseURL: string) {}

  async call<T>(kind: "query" | "mutation", procedure: string, input?: unknown): Promise<T> {
    const body = JSON.stringify({ json: input ?? null });
    const url =
      kind === "query" && input !== undefined
        ? `${this.baseURL}/api/trpc/${procedure}?input=${encodeURIComponent(body)}`
        : `${this.baseURL}/api/trpc/${procedure}`;
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(url, {
        method: kind === "query" ? "GET" : "POST",
        headers: {
          origin: this.baseURL,
          "content-type": "application/json",
          ...(this.cookie ? { cookie: this.cookie } : {}),
        },
        ...(kind === "mutation" ? { body } : {}),
        redirect: "manual",
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      // A studio limits requests per address; wait as it asks, a few times.
      if (response.status === 429 && attempt < 5) {
        await sleep(Math.min(60, Number(response.headers.get("retry-after") ?? 5)) * 1000);
        continue;
      }
      const setCookie = response.headers.getSetCookie().find((value) => value.startsWith("studio_session="));
      if (setCookie) this.cookie = setCookie.split(";")[0]!;
      const payload = (await response.json().catch(() => null)) as {
        result?: { data?: { json?: unknown } };
        error?: { json?: { message?: string; data?: { code?: string } } };
      } | null;
      if (response.ok && payload?.result) return payload.result.data?.json as T;
      const error = payload?.error?.json;
      throw new ApiError(
        error?.data?.code ?? `HTTP_${response.status}`,
        error?.message ?? `HTTP ${response.status} from ${procedure}`,
      );
    }
  }
}

interface Me {
  user: { id: string; email: string };
  organizations: { id: string; name: string; personal: boolean; role: string }[];
}

/** Signs in with the newest recorded password that works; null when the studio has no such account. */
async function signIn(studio: StudioSession, account: RegistryAccount): Promise<string | null> {
  for (const password of account.passwords) {
    try {
      await studio.call("mutation", "auth.signIn", { email: account.email, password });
      return password;
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== "UNAUTHORIZED") throw error;
    }
  }
  return null;
}

async function stopLiveSessions(studio: StudioSession, organizationId: string): Promise<number> {
  await studio.call("mutation", "organizations.switch", { organizationId });
  let stopped = 0;
  for (;;) {
    const page = await studio.call<{ sessions: { id: string }[] }>("query", "sessions.list", {
      status: [...LIVE_STATUSES],
      limit: 100,
    });
    if (page.sessions.length === 0) return stopped;
    for (const session of page.sessions) {
      try {
        await studio.call("mutation", "sessions.stop", { sessionId: session.id });
        stopped += 1;
      } catch (error) {
        // Stopped meanwhile (idle timeout, another replica): nothing left to do.
        if (!(error instanceof ApiError) || error.code !== "CONFLICT") throw error;
      }
    }
  }
}

/** Deletes an organisation, waiting while its stopped sessions' sandboxes come down. */
async function deleteOrganization(studio: StudioSession, organization: { id: string; name: string }) {
  const deadline = Date.now() + SHUTDOWN_WAIT_MS;
  for (;;) {
    try {
      await studio.call("mutation", "organizations.delete", {
        organizationId: organization.id,
        confirmName: organization.name,
      });
      return;
    } catch (error) {
      const waiting =
        error instanceof ApiError && error.code === "CONFLICT" && /shutting down/.test(error.message);
      if (!waiting || Date.now() > deadline) throw error;
      await sleep(1_000);
    }
  }
}

/** What an account owns goes first, so no other account's deletion waits on it. */
async function clearOwnedOrganizations(studio: StudioSession, me: Me): Promise<string[]> {
  const deleted: string[] = [];
  for (const organization of me.organizations.filter((o) => o.role === "owner")) {
    await stopLiveSessions(studio, organization.id);
    if (!organization.personal) {
      try {
        await deleteOrganization(studio, organization);
        deleted.push(organization.name);
      } catch (error) {
        // A co-owner of this run deleted it first.
        if (!(error instanceof ApiError) || error.code !== "NOT_FOUND") throw error;
      }
      continue;
    }
    // A personal workspace goes with its account; other members of it would hold that up.
    const members = await studio.call<{ userId: string }[]>("query", "members.list");
    for (const member of members.filter((m) => m.userId !== me.user.id))
      await studio.call("mutation", "members.remove", { userId: member.userId });
  }
  return deleted;
}

/** Fails at once, saying why, when nothing that answers as a studio is there. */
async function checkStudio(baseURL: string): Promise<void> {
  let health: Response;
  try {
    health = await fetch(`${baseURL}/api/health`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw new Error(
      `${baseURL} cannot be reached (${(error as Error).message}). Is the studio running there?`,
    );
  }
  const body = (await health.json().catch(() => null)) as { status?: unknown } | null;
  if (typeof body?.status !== "string")
    throw new Error(`${baseURL} answered /api/health with HTTP ${health.status}, not as a studio does.`);
}

export async function cleanUpRuns(options: CleanupOptions): Promise<CleanupOutcome> {
  const baseURL = new URL(options.baseURL).origin;
  const dir = options.dir ?? runsDir();
  const log = options.log ?? (() => {});
  const outcome: CleanupOutcome = { removed: [], absent: [], failed: [], skipped: [] };
  const runs = recordedRuns(dir, options.runId);
  const byRun = new Map(runs.map((runId) => [runId, readRun(runId, dir)]));
  const here = [...byRun.values()].flat().filter((account) => account.studio === baseURL);
  for (const account of [...byRun.values()].flat().filter((a) => a.studio !== baseURL))
    outcome.skipped.push({ email: account.email, runId: account.runId, studio: account.studio });

  if (here.length > 0) await checkStudio(baseURL);

  const signedIn = new Map<RegistryAccount, { studio: StudioSession; password: string; deleted: string[] }>();
  const failures = new Map<RegistryAccount, string>();
  for (const account of here) {
    const studio = new StudioSession(baseURL);
    try {
      const password = await signIn(studio, account);
      if (!password) {
        outcome.absent.push({ email: account.email, runId: account.runId });
        continue;
      }
      const me = await studio.call<Me>("query", "auth.me");
      const deleted = await clearOwnedOrganizations(studio, me);
      signedIn.set(account, { studio, password, deleted });
    } catch (error) {
      failures.set(account, (error as Error).message);
    }
  }
  // An account may wait on another (a member whose sessions are in a workspace that goes with its
  // owner): go round while any round removes someone.
  let pending = [...signedIn.keys()];
  while (pending.length > 0) {
    const next: RegistryAccount[] = [];
    for (const account of pending) {
      const { studio, password, deleted } = signedIn.get(account)!;
      try {
        const result = await studio.call<{ deletedOrganizations: { name: string }[] }>(
          "mutation",
          "auth.deleteAccount",
          { password },
        );
        const organizations = [...deleted, ...result.deletedOrganizations.map((o) => o.name)];
        outcome.removed.push({ email: account.email, runId: account.runId, organizations });
        failures.delete(account);
        log(
          `removed ${account.email} and ${organizations.length ? organizations.join(", ") : "no organisation"}`,
        );
      } catch (error) {
        failures.set(account, (error as Error).message);
        next.push(account);
      }
    }
    if (next.length === pending.length) break;
    pending = next;
  }
  for (const [account, reason] of failures) {
    outcome.failed.push({ email: account.email, runId: account.runId, reason });
    log(`could not remove ${account.email}: ${reason}`);
  }
  // What is gone leaves the registry; failures and other studios' accounts stay for another try.
  const gone = new Set([...outcome.removed, ...outcome.absent].map((a) => `${a.runId} ${a.email}`));
  for (const [runId, accounts] of byRun)
    rewriteRun(
      runId,
      accounts.filter((account) => !(account.studio === baseURL && gone.has(`${runId} ${account.email}`))),
      dir,
    );
  return outcome;
}

function parseArguments(argv: string[]): { runId?: string } {
  const options: { runId?: string } = {};
  for (let i = 0; i < argv.length; i += 1) {
    const argument = argv[i]!;
    if (argument === "--run") options.runId = argv[++i];
    else if (argument.startsWith("--run=")) options.runId = argument.slice("--run=".length);
    else if (argument === "--help" || argument === "-h") {
      console.log(
        "Usage: pnpm test:e2e:cleanup [--run <run id>]   (E2E_BASE_URL: the studio; default the local one)",
      );
      process.exit(0);
    } else throw new Error(`Unknown argument ${argument}. Usage: pnpm test:e2e:cleanup [--run <run id>]`);
  }
  if (options.runId === "")
    throw new Error("--run needs a run id (the +e2e-<run> part of the e-mail addresses).");
  return options;
}

async function main() {
  const { runId } = parseArguments(process.argv.slice(2));
  const baseURL =
    process.env.E2E_BASE_URL?.trim().replace(/\/+$/, "") ||
    `http://localhost:${process.env.STUDIO_E2E_PORT ?? 3217}`;
  console.log(
    `Removing what ${runId ? `run ${runId}` : "past runs"} made on ${baseURL} (records in ${runsDir()}).`,
  );
  const outcome = await cleanUpRuns({
    baseURL,
    ...(runId ? { runId } : {}),
    log: (line) => console.log(`  ${line}`),
  });
  for (const account of outcome.absent)
    console.log(`  not on the studio (already removed, or never created): ${account.email}`);
  const otherStudios = new Set(outcome.skipped.map((account) => account.studio));
  for (const studio of otherStudios)
    console.log(
      `  left alone: ${outcome.skipped.filter((a) => a.studio === studio).length} accounts made on ${studio}`,
    );
  console.log(
    `Removed ${outcome.removed.length} accounts and ${outcome.removed.reduce((n, a) => n + a.organizations.length, 0)} organisations; ${outcome.failed.length} could not be removed.`,
  );
  process.exitCode = outcome.failed.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: Error) => {
    console.error(`Cleanup failed: ${error.message}`);
    process.exitCode = 1;
  });
}
