// Every account a run creates is written down as it is created, in e2e/.runs/<run>.jsonl (kept out
// of git), with the password it signs in with and the studio it was made on, so `pnpm
// test:e2e:cleanup` can sign in as each one later and delete it with what it made. One JSON object
// per line: workers (and shards on one machine) append to the same file at once, and an append of
// one short line is never interleaved with another's.
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";

export interface RecordedAccount {
  runId: string;
  /** The studio's origin, e.g. https://staging.example.com. */
  studio: string;
  email: string;
  /** A password the account was given or signed in with (the newest line for an account wins). */
  password: string;
  recordedAt: string;
}

/** Where the records live; E2E_RUNS_DIR moves them (the cleanup's own test uses a temporary one). */
export function runsDir(): string {
  return process.env.E2E_RUNS_DIR || path.join(import.meta.dirname, "..", ".runs");
}

const fileOf = (dir: string, runId: string) => path.join(dir, `${runId}.jsonl`);

/** Run ids are the config's timestamp or what E2E_RUN_ID says: only safe file-name characters. */
function assertRunId(runId: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(runId))
    throw new Error(`E2E run id ${JSON.stringify(runId)} must be letters, digits, . _ - (at most 100).`);
}

export function recordAccount(
  account: { email: string; password: string },
  studio: string,
  runId: string,
  dir = runsDir(),
): void {
  assertRunId(runId);
  mkdirSync(dir, { recursive: true });
  const line: RecordedAccount = {
    runId,
    studio: new URL(studio).origin,
    email: account.email,
    password: account.password,
    recordedAt: new Date().toISOString(),
  };
  appendFileSync(fileOf(dir, runId), `${JSON.stringify(line)}\n`);
}

/** One recorded account, with every password recorded for it, newest first. */
export interface RegistryAccount {
  runId: string;
  studio: string;
  email: string;
  passwords: string[];
}

/** The runs recorded in `dir`: all of them, or only `runId`. */
export function recordedRuns(dir = runsDir(), runId?: string): string[] {
  if (runId !== undefined) {
    assertRunId(runId);
    return existsSync(fileOf(dir, runId)) ? [runId] : [];
  }
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".jsonl"))
    .map((name) => name.slice(0, -".jsonl".length))
    .sort();
}

export function readRun(runId: string, dir = runsDir()): RegistryAccount[] {
  assertRunId(runId);
  const accounts = new Map<string, RegistryAccount>();
  const text = existsSync(fileOf(dir, runId)) ? readFileSync(fileOf(dir, runId), "utf8") : "";
  for (const raw of text.split("\n")) {
    if (!raw.trim()) continue;
    let line: RecordedAccount;
    try {
      line = JSON.parse(raw) as RecordedAccount;
    } catch {
      // A line cut short (a worker killed mid-write) names nobody that a later line does not.
      continue;
    }
    const key = `${line.studio} ${line.email}`;
    const account = accounts.get(key) ?? { runId, studio: line.studio, email: line.email, passwords: [] };
    account.passwords = [line.password, ...account.passwords.filter((p) => p !== line.password)];
    accounts.set(key, account);
  }
  return [...accounts.values()];
}

/** Keeps only `remaining` of the run (those the cleanup could not remove); no file when none. */
export function rewriteRun(runId: string, remaining: RegistryAccount[], dir = runsDir()): void {
  assertRunId(runId);
  if (remaining.length === 0) {
    rmSync(fileOf(dir, runId), { force: true });
    return;
  }
  const lines = remaining.flatMap((account) =>
    // Oldest first, so reading it back gives the same order (the newest password first).
    [...account.passwords].reverse().map((password) =>
      JSON.stringify({
        runId,
        studio: account.studio,
        email: account.email,
        password,
        recordedAt: new Date().toISOString(),
      } satisfies RecordedAccount),
    ),
  );
  writeFileSync(fileOf(dir, runId), `${lines.join("\n")}\n`);
}

/** A run's records, once its studio is gone for good (a local run's own, thrown away with its data). */
export function forgetRun(runId: string, dir = runsDir()): void {
  assertRunId(runId);
  rmSync(fileOf(dir, runId), { force: true });
}
