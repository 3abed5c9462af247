// What the studio does with git in a workspace once it exists: a starting point for workspaces
// that did not come from a remote, commits, pushes through the gateway, the person's changes as a
// patch, and the whole workspace as an archive.
import type { Readable } from "node:stream";
import type { WorkspaceApi } from "../agent-api/client.ts";
import {
  assertCommit,
  assertRefName,
  assertSafeNetworkConfig,
  type GitRunOptions,
  git,
  gitFailure,
  gitReason,
  redactSecrets,
  resolveCommit,
  runGit,
  sandboxTempPath,
  WorkspaceGitError,
} from "./git.ts";

export interface GitAuthor {
  name: string;
  email: string;
}

export const STUDIO_AUTHOR: GitAuthor = { name: "Studio", email: "studio@localhost" };

function authorEnv(author: GitAuthor): Record<string, string> {
  // The environment beats every config file (the repository's user.name included).
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
  };
}

/**
 * Makes the starting point of an empty or uploaded workspace. Without a repository: `git init -b
 * main` and one commit "Starting point" of everything (empty when there is nothing). An upload that
 * brought its own `.git` directory keeps its history: when its HEAD is a commit, the working tree
 * is committed on top only if it differs (so the base is the person's own commit when clean); a
 * repository without commits gets the "Starting point" commit. A `.git` FILE (a worktree or
 * submodule link pointing outside the upload), a bare repository or one whose work tree is
 * elsewhere is removed and a repository made instead.
 */
export async function initBase(
  api: WorkspaceApi,
  options: { workspaceDir: string; env?: Record<string, string> },
): Promise<{ baseCommit: string }> {
  const run: GitRunOptions = { workspaceDir: options.workspaceDir, env: options.env };
  const dotGit = `${options.workspaceDir}/.git`;
  const kind = await api.run("sh", [
    "-c",
    'if [ -L "$1" ]; then echo link; elif [ -d "$1" ]; then echo dir; elif [ -e "$1" ]; then echo other; else echo none; fi',
    "sh",
    dotGit,
  ]);
  const found = kind.stdout.trim();
  // rm, not the files API: it never follows a symlink named .git.
  const drop = () => api.run("rm", ["-rf", "--", dotGit]);
  if (found === "link" || found === "other") await drop();
  // Only a repository whose work tree is exactly this directory is kept: a bare one, or one whose
  // core.worktree points elsewhere in the sandbox, is dropped and a new one made.
  let existing = false;
  if (found === "dir") {
    const probe = await runGit(api, ["rev-parse", "--is-inside-work-tree", "--show-cdup"], run);
    existing =
      probe.exitCode === 0 && probe.stdout.split("\n")[0] === "true" && probe.stdout.split("\n")[1] === "";
    if (!existing) await drop();
  }
  if (!existing) await git(api, ["init", "--quiet", "-b", "main"], run);

  const head = existing ? await resolveCommit(api, "HEAD", run) : null;
  const env = { ...options.env, ...authorEnv(STUDIO_AUTHOR) };
  await git(api, ["add", "--all"], run);
  if (head) {
    const staged = await runGit(api, ["diff", "--cached", "--quiet", "--no-ext-diff", "HEAD"], run);
    if (staged.exitCode === 0) return { baseCommit: head };
  }
  await git(api, ["commit", "--quiet", "--no-verify", "--allow-empty", "-m", "Starting point"], {
    ...run,
    env,
  });
  const baseCommit = await resolveCommit(api, "HEAD", run);
  if (!baseCommit) throw new WorkspaceGitError("failed", "The starting point could not be committed");
  return { baseCommit };
}

/** Commits everything in the workspace (new, changed, deleted files); null when nothing changed. */
export async function commitAll(
  api: WorkspaceApi,
  options: { workspaceDir: string; message: string; author: GitAuthor; env?: Record<string, string> },
): Promise<{ commit: string | null }> {
  const run: GitRunOptions = { workspaceDir: options.workspaceDir, env: options.env };
  await git(api, ["add", "--all"], run);
  const hasHead = (await resolveCommit(api, "HEAD", run)) !== null;
  if (hasHead) {
    const staged = await runGit(api, ["diff", "--cached", "--quiet", "--no-ext-diff", "HEAD"], run);
    if (staged.exitCode === 0) return { commit: null };
  }
  await git(api, ["commit", "--quiet", "--no-verify", "-m", options.message], {
    ...run,
    env: { ...options.env, ...authorEnv(options.author) },
  });
  return { commit: await resolveCommit(api, "HEAD", run) };
}

export interface PushOutcome {
  /** The remote accepted the update (or already had it). */
  pushed: boolean;
  /** The remote's reason when it refused (report-status `ng <ref> <reason>`), else null. */
  refusal: string | null;
  /** What git printed, without tokens or host paths. */
  output: string;
}

/**
 * Pushes HEAD to `refs/heads/<branch>`. `remoteUrl` (the gateway's URL for the session) should be
 * given: the agent can rewrite `origin` in .git/config, and the token goes wherever git pushes.
 * A refusal by the remote is an outcome; not reaching it or being refused access throws.
 */
export async function push(
  api: WorkspaceApi,
  options: { workspaceDir: string; branch: string; env: Record<string, string>; remoteUrl?: string },
): Promise<PushOutcome> {
  assertRefName(options.branch, "The branch");
  const run: GitRunOptions = { workspaceDir: options.workspaceDir, env: options.env, network: true };
  await assertSafeNetworkConfig(api, run);
  const remote = options.remoteUrl ?? "origin";
  const result = await runGit(
    api,
    ["push", "--porcelain", "--no-verify", remote, `HEAD:refs/heads/${options.branch}`],
    run,
  );
  const output = redactSecrets(`${result.stdout}\n${result.stderr}`.trim(), run);
  // Porcelain: `<flag>\t<from>:<to>\t<summary> (<reason>)`; `!` is a rejected ref.
  const rejected = /^!\t\S+\t\[(?:remote )?rejected\](?: \((.*)\))?$/m.exec(
    redactSecrets(result.stdout, run),
  );
  if (result.exitCode === 0) return { pushed: true, refusal: null, output };
  if (rejected) return { pushed: false, refusal: rejected[1] ?? "rejected", output };
  const failure = gitFailure(result, run);
  if (failure.reason === "refused") return { pushed: false, refusal: gitReason(output), output };
  throw failure;
}

/** Runs `produce` to write a temp file in the sandbox, then streams it and removes it once read. */
async function streamTempFile(
  api: WorkspaceApi,
  file: string,
  produce: () => Promise<void>,
): Promise<Readable> {
  try {
    await produce();
    const stream = await api.readFile(file);
    stream.once("close", () => void api.remove(file).catch(() => {}));
    return stream;
  } catch (error) {
    await api.remove(file).catch(() => {});
    throw error;
  }
}

/**
 * Everything changed since `baseCommit` (tracked changes, deletions, new non-ignored files and
 * binary files) as a patch for `git apply`, empty when nothing changed. The person's index is not
 * touched: a copy of it in the sandbox's /tmp takes the `git add --all`.
 */
export async function changesPatch(
  api: WorkspaceApi,
  options: { workspaceDir: string; baseCommit: string; env?: Record<string, string> },
): Promise<Readable> {
  assertCommit(options.baseCommit, "The base commit");
  const index = sandboxTempPath("index");
  const patch = sandboxTempPath("patch");
  const run: GitRunOptions = { workspaceDir: options.workspaceDir, env: options.env };
  const withIndex: GitRunOptions = { ...run, env: { ...options.env, GIT_INDEX_FILE: index } };
  return streamTempFile(api, patch, async () => {
    try {
      // A copy of the real index keeps its stat data, so unchanged files are not hashed again. It
      // keeps the index file's own time too (-p): git trusts an entry's stat data only for files
      // older than the index file, and a later copy time would hide a file changed within the same
      // second as the index was written ("racy git").
      const real = (
        await git(api, ["rev-parse", "--path-format=absolute", "--git-path", "index"], run)
      ).trim();
      await api.run("cp", ["-p", "--", real, index]);
      await git(api, ["add", "--all"], withIndex);
      const diff = await runGit(
        api,
        [
          "diff",
          "--cached",
          "--binary",
          "--full-index",
          "--no-ext-diff",
          "--no-textconv",
          "--no-color",
          `--output=${patch}`,
          options.baseCommit,
          "--",
        ],
        withIndex,
      );
      if (diff.exitCode !== 0) throw gitFailure(diff, run);
    } finally {
      await api.remove(index).catch(() => {});
    }
  });
}

/** The workspace as a gzipped tar stream (`./`-relative entries), with or without `.git`. */
export async function workspaceArchive(
  api: WorkspaceApi,
  options: { workspaceDir: string; format: "tar.gz"; includeGit: boolean },
): Promise<Readable> {
  const file = sandboxTempPath("archive");
  return streamTempFile(api, file, async () => {
    const exclude = options.includeGit ? [] : ["--exclude=./.git"];
    const result = await api.run("tar", ["-czf", file, ...exclude, "-C", options.workspaceDir, "."], {
      timeoutMs: 10 * 60_000,
    });
    // GNU tar's 1 is "a file changed while it was read" (the agent at work): the archive is whole.
    if (result.exitCode !== 0 && result.exitCode !== 1) {
      throw new WorkspaceGitError(
        "failed",
        `The archive could not be made: ${redactSecrets(result.stderr.trim(), options)}`,
      );
    }
  });
}
