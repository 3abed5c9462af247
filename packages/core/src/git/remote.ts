// Runs git against a remote with a stored credential, on the studio's own machine: `ls-remote` to
// test a credential today, the clone step and the git gateway later. Three rules hold for every run:
//
// - The credential never appears in git's arguments (which `ps` shows every user of the machine)
//   nor in any file: it travels as an `Authorization: Basic` header in git's configuration given
//   through the environment (GIT_CONFIG_COUNT/KEY/VALUE), which only the studio's user can read.
//   The header is scoped to the remote's origin.
// - Nothing of the machine's or the user's git configuration applies (no credential helpers, no
//   askpass, no prompts), git follows no redirect (so the header never goes to another host), only
//   http(s) transports run, and a name checked against TENANT_PRIVATE_NETWORK is pinned to the
//   addresses it was checked at (`http.curloptResolve`), so it cannot resolve elsewhere meanwhile.
// - A run that outlasts its timeout is killed with its whole process group (git-remote-https too).
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";

/** A personal access token, and the user name sent with it (some hosts want the account's). */
export interface GitRemoteCredential {
  username: string | null;
  token: string;
}

/**
 * GitHub, GitLab, Gitea and Bitbucket accept a token as the password with this user name (or any
 * non-empty one); hosts that want the account's own name get it from the stored username.
 */
export const DEFAULT_GIT_USERNAME = "x-access-token";

export const GIT_REMOTE_OUTCOMES = [
  "ok",
  "authentication_failed",
  "not_found",
  "unreachable",
  "timed_out",
  "failed",
] as const;
export type GitRemoteOutcome = (typeof GIT_REMOTE_OUTCOMES)[number];

export interface GitRemoteTarget {
  /** The remote's http(s) URL, without credentials. */
  url: string;
  /** `host:port:address[,address]` entries pinning names to the addresses they were checked at. */
  pins?: readonly string[];
}

export interface GitRemoteOptions {
  credential: GitRemoteCredential | null;
  /** Default 20 s. */
  timeoutMs?: number;
  cwd?: string;
  onStdout?: (chunk: Buffer) => void;
}

export interface GitRunResult {
  outcome: GitRemoteOutcome;
  /** In words, for a person; never holds the credential. */
  message: string;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const STDERR_KEPT = 8 * 1024;

function basicHeader(credential: GitRemoteCredential): string {
  const user = credential.username || DEFAULT_GIT_USERNAME;
  return `Authorization: Basic ${Buffer.from(`${user}:${credential.token}`, "utf8").toString("base64")}`;
}

/**
 * The command, arguments and environment of a git run against `target`. Pure, so a test can check
 * that the credential is in the environment only. `gitArgs` must not hold secrets either.
 */
export function gitRemoteCommand(
  gitArgs: readonly string[],
  target: GitRemoteTarget,
  credential: GitRemoteCredential | null,
): { command: "git"; args: string[]; env: Record<string, string> } {
  const origin = new URL(target.url).origin;
  const config: [string, string][] = [
    // An empty value clears every helper configured anywhere: nothing is read from or stored in one.
    ["credential.helper", ""],
    ["core.askPass", ""],
    ["http.followRedirects", "false"],
    ...(target.pins ?? []).map((pin): [string, string] => ["http.curloptResolve", pin]),
  ];
  if (credential) config.push([`http.${origin}/.extraHeader`, basicHeader(credential)]);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: tmpdir(),
    LANG: "C",
    LC_ALL: "C",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GCM_INTERACTIVE: "never",
    GIT_ALLOW_PROTOCOL: "http:https",
    GIT_CONFIG_COUNT: String(config.length),
  };
  config.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return { command: "git", args: [...gitArgs], env };
}

/** Which outcome git's (C-locale) error output describes, and the words for it. */
export function classifyGitFailure(stderr: string, url: string): GitRunResult {
  const host = new URL(url).host;
  if (
    /could not read (Username|Password)|Authentication failed|HTTP Basic: Access denied|returned error: 40[13]\b|Invalid username or password/i.test(
      stderr,
    )
  )
    return { outcome: "authentication_failed", message: `${host} refused the credential.` };
  if (
    /repository '.*' not found|returned error: 404\b|Repository not found|not appear to be a git repository/i.test(
      stderr,
    )
  )
    return {
      outcome: "not_found",
      message: `${host} has no repository at ${url} (or the credential cannot see it).`,
    };
  if (/returned error: 30[1278]\b|redirect/i.test(stderr))
    return {
      outcome: "failed",
      message: `${host} answered with a redirect, which the studio does not follow. Use the repository's final URL.`,
    };
  if (
    /Could not resolve host|Failed to connect|Couldn't connect|Connection refused|Network is unreachable|No route to host|Connection timed out|Connection reset|Empty reply from server/i.test(
      stderr,
    )
  )
    return { outcome: "unreachable", message: `${host} could not be reached from the studio.` };
  if (/SSL|certificate|TLS/i.test(stderr))
    return { outcome: "unreachable", message: `The TLS connection to ${host} failed (its certificate?).` };
  const fatal = stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("fatal:") || line.startsWith("error:"))
    .at(-1);
  return {
    outcome: "failed",
    message: fatal ? `git: ${fatal.replace(/^(fatal|error):\s*/, "").slice(0, 300)}` : "git failed.",
  };
}

/** Removes every form of the credential a server or git could echo back. */
function scrub(text: string, credential: GitRemoteCredential | null): string {
  if (!credential?.token) return text;
  const forms = [credential.token, basicHeader(credential).slice("Authorization: Basic ".length)];
  return forms.reduce((out, form) => out.split(form).join("[redacted]"), text);
}

/**
 * Runs `git <gitArgs>` against the remote (the arguments name it: `["ls-remote", url]`). Resolves
 * with the outcome; never rejects for git's own failures.
 */
export function runGitRemote(
  gitArgs: readonly string[],
  target: GitRemoteTarget,
  options: GitRemoteOptions,
): Promise<GitRunResult> {
  const { command, args, env } = gitRemoteCommand(gitArgs, target, options.credential);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env,
      cwd: options.cwd ?? tmpdir(),
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so a timeout ends git-remote-https as well.
      detached: true,
    });
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => options.onStdout?.(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_KEPT);
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({
        outcome: "failed",
        message: `git could not be started on the studio's machine (${error.message}).`,
      });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (timedOut) {
        const seconds = Math.round(timeoutMs / 1000);
        resolve({
          outcome: "timed_out",
          message: `No answer from ${new URL(target.url).host} within ${seconds} s.`,
        });
      } else if (code === 0) resolve({ outcome: "ok", message: "ok" });
      else {
        const result = classifyGitFailure(scrub(stderr, options.credential), target.url);
        resolve({ ...result, message: scrub(result.message, options.credential) });
      }
    });
  });
}

export interface LsRemoteResult extends GitRunResult {
  /** How many refs the remote listed, when it answered. */
  refCount: number | null;
}

/** `git ls-remote <url>`: whether the credential opens the repository, and how many refs it has. */
export async function lsRemote(
  target: GitRemoteTarget,
  credential: GitRemoteCredential | null,
  options: { timeoutMs?: number } = {},
): Promise<LsRemoteResult> {
  let lines = 0;
  const result = await runGitRemote(["ls-remote", "--", target.url], target, {
    credential,
    ...options,
    onStdout: (chunk) => {
      for (const byte of chunk) if (byte === 0x0a) lines += 1;
    },
  });
  if (result.outcome !== "ok") return { ...result, refCount: null };
  const refs = lines === 1 ? "1 ref" : `${lines} refs`;
  return { outcome: "ok", refCount: lines, message: `The repository answered with ${refs}.` };
}
