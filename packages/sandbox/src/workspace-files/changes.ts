// Every change in a workspace since the session's base, from git inside the sandbox.
import type { WorkspaceApi } from "../agent-api/client.ts";
import {
  assertCommit,
  type GitRunOptions,
  git,
  gitFailure,
  runGit,
  sandboxTempPath,
} from "../workspace-git/git.ts";
import { NOISE_NAMES, parseNameStatusZ, parseNumstatZ } from "./parse.ts";
import { gitOptions } from "./resolve.ts";
import {
  CHANGES_MAX,
  COMMAND_TIMEOUT_MS,
  type WorkspaceChange,
  type WorkspaceChanges,
  type WorkspaceFilesOptions,
} from "./types.ts";

/** Untracked folders the panel counts as noise (see NOISE_NAMES), as exclude patterns at any depth. */
const NOISE_PATTERNS = [...NOISE_NAMES].filter((name) => name !== ".git").map((name) => `${name}/`);

/**
 * Runs `read` with a temporary index holding the whole working tree (`git add --all`, untracked
 * files included unless ignored or noise), so `git diff --cached <base>` sees every change and
 * detects renames, without touching the person's or the agent's index. A copy of the real index
 * keeps its stat data, so unchanged files are not hashed again. Noise folders (node_modules…) are
 * excluded through `core.excludesFile`, which only applies to untracked files: an agent's `npm
 * install` in a project without a .gitignore is not hashed on every read, while a tracked file in
 * such a folder still shows its change.
 */
export async function withWorkingTreeIndex<T>(
  api: WorkspaceApi,
  options: WorkspaceFilesOptions,
  read: (run: GitRunOptions) => Promise<T>,
  /** Only this folder's files are brought up to date (a folder listing's marks); "" for all. */
  folder = "",
): Promise<T> {
  const index = sandboxTempPath("panel-index");
  const excludes = sandboxTempPath("panel-excludes");
  const run = gitOptions(options);
  const withIndex = gitOptions(options, { GIT_INDEX_FILE: index });
  try {
    const real = (await git(api, ["rev-parse", "--path-format=absolute", "--git-path", "index"], run)).trim();
    // A missing index (a fresh repository) only means every file is hashed once. The copy keeps the
    // index file's time (-p), which git's racy-file check compares entries with (operations.ts).
    await api.run(
      "sh",
      [
        "-c",
        'cp -p -- "$1" "$2" 2>/dev/null; out=$3; shift 3; printf "%s\\n" "$@" > "$out"',
        "sh",
        real,
        index,
        excludes,
        ...NOISE_PATTERNS,
      ],
      { timeoutMs: COMMAND_TIMEOUT_MS },
    );
    // Unreadable files are left out rather than failing the whole list (git still exits non-zero).
    await runGit(
      api,
      ["-c", `core.excludesFile=${excludes}`, "add", "--all", "--ignore-errors", "--", folder || "."],
      withIndex,
    );
    return await read(withIndex);
  } finally {
    // Not waited for: the answer does not depend on it (the names are random, nobody reuses them).
    void api.remove(index).catch(() => {});
    void api.remove(excludes).catch(() => {});
  }
}

const DIFF_OPTIONS = ["--cached", "-M", "-z", "--no-ext-diff", "--no-textconv", "--no-color"];

/** A diff's `-z` records; when git said more than the output limit holds, the last (cut) record is dropped. */
async function diffRecords<T>(
  api: WorkspaceApi,
  run: GitRunOptions,
  args: string[],
  parse: (output: string) => T[],
): Promise<{ records: T[]; cut: boolean }> {
  const result = await runGit(api, ["diff", ...DIFF_OPTIONS, ...args], run);
  if (result.exitCode !== 0) throw gitFailure(result, run);
  const records = parse(result.stdout);
  if (result.stdoutTruncated) records.pop();
  return { records, cut: result.stdoutTruncated };
}

export async function nameStatus(api: WorkspaceApi, run: GitRunOptions, baseCommit: string, folder = "") {
  const pathspec = folder ? [folder] : [];
  return (await diffRecords(api, run, ["--name-status", baseCommit, "--", ...pathspec], parseNameStatusZ))
    .records;
}

export async function changeList(
  api: WorkspaceApi,
  options: WorkspaceFilesOptions,
  baseCommit: string,
): Promise<WorkspaceChange[]> {
  assertCommit(baseCommit, "The base commit");
  return withWorkingTreeIndex(api, options, async (run) => {
    const [names, numbers] = await Promise.all([
      nameStatus(api, run, baseCommit),
      diffRecords(api, run, ["--numstat", baseCommit, "--"], parseNumstatZ).then(({ records }) => records),
    ]);
    const counts = new Map(numbers.map((entry) => [entry.path, entry]));
    return names
      .map((entry) => {
        const numstat = counts.get(entry.path);
        const binary = numstat !== undefined && numstat.additions === null;
        return {
          ...entry,
          additions: numstat?.additions ?? (binary ? null : 0),
          deletions: numstat?.deletions ?? (binary ? null : 0),
          binary,
        };
      })
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  });
}

/** Every file changed since `baseCommit` (at most CHANGES_MAX), with +/− counts and totals. */
export async function workspaceChanges(
  api: WorkspaceApi,
  options: WorkspaceFilesOptions & { baseCommit: string },
): Promise<WorkspaceChanges> {
  const files = await changeList(api, options, options.baseCommit);
  const totals = { files: files.length, additions: 0, deletions: 0 };
  for (const file of files) {
    totals.additions += file.additions ?? 0;
    totals.deletions += file.deletions ?? 0;
  }
  return {
    baseCommit: options.baseCommit,
    files: files.slice(0, CHANGES_MAX),
    totals,
    truncated: files.length > CHANGES_MAX,
  };
}
