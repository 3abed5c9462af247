// Fills an empty workspace from a remote through the studio's git gateway: only what is needed
// (one commit unless the full history is asked for), on a new local branch of the studio's.
import type { WorkspaceApi } from "../agent-api/client.ts";
import type { StepProgress } from "../types.ts";
import {
  assertCommit,
  assertRefName,
  GATEWAY_CREDENTIAL_HELPER,
  type GitRunOptions,
  git,
  gitFailure,
  resolveCommit,
  runGit,
  WorkspaceGitError,
} from "./git.ts";
import { progressReporter } from "./progress.ts";

export type RefKind = "branch" | "tag" | "commit";

export interface CloneOptions {
  workspaceDir: string;
  /** The git gateway's URL for the session (no credentials in it), e.g. `http://127.0.0.1:3000/api/git/<sessionId>`. */
  remoteUrl: string;
  /** null: the remote's default branch. */
  ref: string | null;
  /** null with a ref: git resolves it on the remote (a branch or a tag name). */
  refKind: RefKind | null;
  fullHistory: boolean;
  /** The local branch the work goes on, e.g. `studio/k3v9x2ab`. */
  workBranch: string;
  /** Must hold STUDIO_GATEWAY_TOKEN for a remote that needs it; every value is kept out of errors. */
  env: Record<string, string>;
  onProgress?: (progress: StepProgress) => void;
  timeoutMs?: number;
}

export interface CloneResult {
  baseCommit: string;
  /** The remote's default branch, when it says. */
  defaultBranch?: string;
}

/**
 * `git init`, remote `origin` = the gateway with the repo-local credential helper, fetch, and a
 * new branch `workBranch` at what was fetched. On failure the workspace is emptied again and a
 * WorkspaceGitError says why (`unknown_ref`, `auth_failed`, `unreachable`…).
 */
export async function cloneInto(api: WorkspaceApi, options: CloneOptions): Promise<CloneResult> {
  assertRefName(options.workBranch, "The work branch");
  if (options.refKind === "commit") assertCommit(options.ref ?? "", "The commit");
  else if (options.ref !== null) assertRefName(options.ref, "The ref");
  if (!/^https?:\/\/[^/@\s]+\//.test(options.remoteUrl)) {
    throw new WorkspaceGitError("invalid_input", "The remote URL must be an http(s) URL without credentials");
  }
  const run: GitRunOptions = {
    workspaceDir: options.workspaceDir,
    env: options.env,
    timeoutMs: options.timeoutMs,
  };
  const network: GitRunOptions = { ...run, network: true };
  try {
    await git(api, ["init", "--quiet"], run);
    await git(api, ["remote", "add", "origin", options.remoteUrl], run);
    await git(api, ["config", "credential.helper", GATEWAY_CREDENTIAL_HELPER], run);

    // The default branch first: a cheap request that also fails early on authentication.
    const head = await git(api, ["ls-remote", "--symref", "origin", "HEAD"], network);
    const defaultBranch = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(head)?.[1];

    const depth = options.fullHistory ? [] : ["--depth", "1"];
    const reporter = progressReporter((progress) => options.onProgress?.(progress));
    const fetch = async (refspecs: string[], fetchDepth = depth) => {
      const result = await runGit(
        api,
        // unpackLimit=1: small fetches would go to unpack-objects, whose progress git shows only
        // after 2 s; index-pack shows "Receiving objects" at once (and keeps one pack, not loose files).
        [
          "-c",
          "fetch.unpackLimit=1",
          "fetch",
          "--progress",
          "--no-tags",
          ...fetchDepth,
          "origin",
          ...refspecs,
        ],
        { ...network, onStderr: (text) => reporter.write(text) },
      );
      reporter.flush();
      return result;
    };

    let target: string;
    if (options.refKind === "commit") {
      const sha = options.ref!;
      // Protocol v2 servers (git 2.39's http-backend included) hand out any reachable commit; a
      // server that refuses a bare id gets a full fetch instead.
      const direct = await fetch([sha]);
      if (direct.exitCode !== 0) {
        const full = await fetch(["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"], []);
        if (full.exitCode !== 0) throw gitFailure(full, run);
      }
      target = sha;
    } else if (options.refKind === "tag") {
      const result = await fetch([`+refs/tags/${options.ref}:refs/tags/${options.ref}`]);
      if (result.exitCode !== 0) throw gitFailure(result, run);
      target = `refs/tags/${options.ref}`;
    } else {
      const branch = options.refKind === "branch" ? options.ref : options.ref === null ? defaultBranch : null;
      if (options.ref === null && !defaultBranch) {
        throw new WorkspaceGitError("unknown_ref", "The repository has no default branch (is it empty?)");
      }
      const refspec = branch ? `+refs/heads/${branch}:refs/remotes/origin/${branch}` : options.ref!;
      const result = await fetch([refspec]);
      if (result.exitCode !== 0) throw gitFailure(result, run);
      target = "FETCH_HEAD";
    }
    const baseCommit = await resolveCommit(api, target, run);
    if (!baseCommit || (options.refKind === "commit" && !baseCommit.startsWith(options.ref!))) {
      throw new WorkspaceGitError(
        "unknown_ref",
        `The ${options.refKind ?? "ref"} was not found on the remote`,
      );
    }
    await git(api, ["checkout", "--quiet", "-b", options.workBranch, baseCommit], run);
    return { baseCommit, ...(defaultBranch ? { defaultBranch } : {}) };
  } catch (error) {
    await emptyDirectory(api, options.workspaceDir);
    throw error;
  }
}

/** Removes everything inside `dir` (dot files included), keeping `dir` itself. */
export async function emptyDirectory(api: WorkspaceApi, dir: string): Promise<void> {
  await api.run("find", [dir, "-mindepth", "1", "-delete"], { timeoutMs: 120_000 });
}
