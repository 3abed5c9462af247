// How the studio runs git inside a workspace. The repository is not the studio's: its content
// came from a person or a remote, and the agent can write anything into .git (config, hooks) and
// into the sandbox's HOME (~/.gitconfig). Git run there by the studio must not execute what those
// files name, in particular not while the session's gateway token is in its environment:
//   - hooks (pre-commit, post-checkout, pre-push, reference-transaction…): `core.hooksPath=/dev/null`;
//   - `core.fsmonitor` names a program run on every status/add/diff: forced off;
//   - a pager or editor: `core.pager=cat`, `core.editor=true` (never interactive anyway);
//   - credential helpers from any config file: the list is reset (`credential.helper=`) and only
//     the studio's own, reading $STUDIO_GATEWAY_TOKEN, is given for network commands;
//   - `http.extraHeader`, reset likewise; `ext::` remote helpers: `protocol.ext.allow=never`;
//   - external diff and textconv drivers: the diffs use `--no-ext-diff --no-textconv`;
//   - the sandbox's global and system config: ignored (GIT_CONFIG_GLOBAL=/dev/null,
//     GIT_CONFIG_NOSYSTEM=1).
// Repository-local config has no off switch, and some of it is not reset by `-c`: URL-scoped
// credential helpers (`credential.<url>.helper`), `url.<x>.insteadOf` (rewrites even an explicit
// URL), URL-scoped proxies and headers. Before a network command the studio looks for those and
// refuses (`unsafe_config`) rather than send the token where they say (`assertSafeNetworkConfig`).
// Clean/smudge filters named in .git/config still run on add/checkout: inside the sandbox, without
// the token (only network commands get it), so no more than the agent can do itself.
import type { WorkspaceApi, WorkspaceRunResult } from "../agent-api/client.ts";

/** `-c` options for every git run by the studio (see above). */
export const HARDENED_GIT_CONFIG = [
  "core.hooksPath=/dev/null",
  "core.fsmonitor=false",
  "core.pager=cat",
  "core.editor=true",
  "credential.helper=",
  "http.extraHeader=",
  "protocol.ext.allow=never",
  "commit.gpgSign=false",
  "tag.gpgSign=false",
  "advice.detachedHead=false",
  "init.defaultBranch=main",
];

/**
 * The repo-local credential helper: reads the session's gateway token from the environment when
 * git asks, so no token is ever written to .git/config or any other file. The username is
 * `$STUDIO_GATEWAY_USERNAME`, `studio` when unset.
 */
export const GATEWAY_CREDENTIAL_HELPER =
  '!f() { test "$1" = get || return 0; u="$STUDIO_GATEWAY_USERNAME"; test -n "$u" || u=studio; echo "username=$u"; echo "password=$STUDIO_GATEWAY_TOKEN"; }; f';

const GIT_ENV: Record<string, string> = {
  GIT_TERMINAL_PROMPT: "0",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  // Git's messages in English, as the error classification reads them.
  LC_ALL: "C",
  LANGUAGE: "C",
};

export type GitFailureReason =
  | "unknown_ref"
  | "auth_failed"
  | "unreachable"
  | "refused"
  | "invalid_input"
  | "unsafe_config"
  | "failed";

/** A git operation failed. `message` is git's own reason, without tokens or host paths. */
export class WorkspaceGitError extends Error {
  override readonly name = "WorkspaceGitError";
  constructor(
    readonly reason: GitFailureReason,
    message: string,
  ) {
    super(message);
  }
}

export interface GitRunOptions {
  workspaceDir: string;
  env?: Record<string, string>;
  /** Adds the studio's credential helper (network commands only). */
  network?: boolean;
  timeoutMs?: number;
  /** Streams stderr while git runs (clone progress). */
  onStderr?: (text: string) => void;
}

export function gitArgs(args: string[], network = false): string[] {
  const config = network
    ? [...HARDENED_GIT_CONFIG, `credential.helper=${GATEWAY_CREDENTIAL_HELPER}`]
    : HARDENED_GIT_CONFIG;
  return [...config.flatMap((entry) => ["-c", entry]), ...args];
}

export async function runGit(
  api: WorkspaceApi,
  args: string[],
  options: GitRunOptions,
): Promise<WorkspaceRunResult> {
  const runOptions = {
    cwd: options.workspaceDir,
    env: { ...options.env, ...GIT_ENV },
    timeoutMs: options.timeoutMs ?? 10 * 60_000,
  };
  const argv = gitArgs(args, options.network);
  if (options.onStderr) {
    const onStderr = options.onStderr;
    return api.runStreaming("git", argv, {
      ...runOptions,
      onOutput: (stream, text) => {
        if (stream === "stderr") onStderr(text);
      },
    });
  }
  return api.run("git", argv, runOptions);
}

/** Runs git and throws a WorkspaceGitError with git's reason when it fails; returns stdout. */
export async function git(api: WorkspaceApi, args: string[], options: GitRunOptions): Promise<string> {
  const result = await runGit(api, args, options);
  if (result.exitCode !== 0) throw gitFailure(result, options);
  return result.stdout;
}

export function gitFailure(
  result: WorkspaceRunResult,
  options: Pick<GitRunOptions, "env" | "workspaceDir">,
): WorkspaceGitError {
  if (result.timedOut) return new WorkspaceGitError("unreachable", "git did not finish in time");
  const text = redactSecrets(result.stderr, options);
  return new WorkspaceGitError(classifyGitFailure(text), gitReason(text));
}

export function classifyGitFailure(stderr: string): GitFailureReason {
  if (
    /Authentication failed|could not read (Username|Password)|terminal prompts disabled|returned error: 40[13]/i.test(
      stderr,
    )
  )
    return "auth_failed";
  if (
    /couldn't find remote ref|Remote branch .* not found|not our ref|upload-pack: not our|unadvertised object|no such remote ref|unknown revision|bad revision|not a valid object name|invalid reference|needed a single revision/i.test(
      stderr,
    )
  )
    return "unknown_ref";
  if (
    /Could not resolve host|Failed to connect|Connection refused|Connection timed out|Couldn't connect|returned error: 5\d\d|Empty reply/i.test(
      stderr,
    )
  )
    return "unreachable";
  if (/\[remote rejected\]|\[rejected\]|pre-receive hook declined/i.test(stderr)) return "refused";
  return "failed";
}

/** The lines of git's output that say what went wrong (fatal:/error:/remote:), else its last line. */
export function gitReason(stderr: string): string {
  const lines = stderr
    .split(/[\r\n]+/)
    .map((line) => line.trim())
    .filter(Boolean);
  const reasons = lines.filter((line) => /^(fatal|error|remote|hint: Updates were rejected| ! )/i.test(line));
  const chosen = (reasons.length > 0 ? reasons : lines.slice(-1)).join("\n").slice(0, 2000);
  return chosen || "git failed without saying why";
}

/**
 * Removes every value of the environment given to git (tokens) and credentials in URLs, and
 * replaces the workspace's path (a host path for a local sandbox) by `.`.
 */
export function redactSecrets(text: string, options: Pick<GitRunOptions, "env" | "workspaceDir">): string {
  let redacted = text.replace(/(\w+:\/\/)[^/\s@]+@/g, "$1***@");
  for (const value of Object.values(options.env ?? {})) {
    if (value.length >= 4) redacted = redacted.split(value).join("***");
  }
  return redacted.split(options.workspaceDir).join(".");
}

const REF_NAME = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[A-Za-z0-9._/+-]+(?<![./]|\.lock)$/;
const COMMIT = /^[0-9a-f]{7,64}$/;

export function assertRefName(name: string, what: string): void {
  if (!REF_NAME.test(name) || name.length > 250) {
    throw new WorkspaceGitError("invalid_input", `${what} is not a valid git ref name`);
  }
}

export function assertCommit(sha: string, what: string): void {
  if (!COMMIT.test(sha)) throw new WorkspaceGitError("invalid_input", `${what} is not a commit id`);
}

/** The full id of a commit the workspace has (`<rev>^{commit}`), or null. */
export async function resolveCommit(
  api: WorkspaceApi,
  rev: string,
  options: GitRunOptions,
): Promise<string | null> {
  const result = await runGit(
    api,
    ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`],
    options,
  );
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** Config keys (as git lowercases them) that could send a network command, and so the token, elsewhere. */
const UNSAFE_NETWORK_CONFIG =
  "^(url\\..*\\.(insteadof|pushinsteadof)|http\\..*\\.?(proxy|extraheader|proxyauthmethod)|credential\\..+\\.(helper|username)|core\\.(askpass|gitproxy|sshcommand)|remote\\..*\\.(proxy|pushurl|receivepack|uploadpack|vcs))$";

/** Refuses to run a network command in a repository whose config redirects it (see the top). */
export async function assertSafeNetworkConfig(api: WorkspaceApi, options: GitRunOptions): Promise<void> {
  // Without the studio's own `-c` options: `git config` would list those too (and runs no hooks).
  const result = await api.run("git", ["config", "--includes", "--get-regexp", UNSAFE_NETWORK_CONFIG], {
    cwd: options.workspaceDir,
    env: GIT_ENV,
  });
  if (result.exitCode === 0 && result.stdout.trim()) {
    const keys = [
      ...new Set(
        result.stdout
          .trim()
          .split("\n")
          .map((line) => line.split(" ")[0]),
      ),
    ];
    throw new WorkspaceGitError(
      "unsafe_config",
      `The repository's git config would redirect the studio's network access (${keys.join(", ").slice(0, 300)}); remove it and try again`,
    );
  }
}

/** A path in the sandbox's /tmp nobody else picks. */
export function sandboxTempPath(purpose: string): string {
  const random = Array.from(crypto.getRandomValues(new Uint8Array(8)), (byte) =>
    byte.toString(16).padStart(2, "0"),
  ).join("");
  return `/tmp/studio-${purpose}-${random}`;
}
