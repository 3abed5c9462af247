// What the workspace panel reads from a session's workspace: one folder's entries, one file's
// content, every change since the session's base and one file's diff. Everything runs inside the
// sandbox through sandbox-agent's own API (`find`/`realpath` and git with the studio's hardened
// options, files through the fs API), so a local and an E2B sandbox behave the same, and nothing
// is read beyond what the sandbox itself can see. Paths are workspace-relative; symlinks are shown
// as such and never followed: a path that goes through one is refused.
import type { WorkspaceApi } from "../agent-api/client.ts";
import { assertCommit, git, runGit } from "../workspace-git/git.ts";
import { changeList, nameStatus, withWorkingTreeIndex } from "./changes.ts";
import {
  type ChangeStatus,
  compareEntries,
  decodeText,
  type NameStatusEntry,
  NOISE_NAMES,
  unquoteGitPath,
  WorkspacePathError,
  workspacePath,
} from "./parse.ts";
import { gitOptions, join, resolve } from "./resolve.ts";
import {
  COMMAND_TIMEOUT_MS,
  type EntryKind,
  FILE_CONTENT_MAX,
  LIST_ENTRIES_MAX,
  type WorkspaceEntry,
  type WorkspaceFileContent,
  type WorkspaceFileDiff,
  type WorkspaceFilesOptions,
  type WorkspaceListing,
} from "./types.ts";

export { workspaceChanges } from "./changes.ts";

// ---- Folders ------------------------------------------------------------------------------------

/** Which of `paths` (relative, folders ending in `/`) .gitignore excludes: one check-ignore per batch of arguments. */
async function ignoredPaths(api: WorkspaceApi, options: WorkspaceFilesOptions, paths: string[]) {
  const ignored = new Set<string>();
  const batches: string[][] = [];
  let batch: string[] = [];
  let bytes = 0;
  for (const path of paths) {
    if (bytes + path.length > 256 * 1024 && batch.length > 0) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(path);
    bytes += path.length + 1;
  }
  if (batch.length > 0) batches.push(batch);
  await Promise.all(
    batches.map(async (some) => {
      // `-z` needs --stdin, which the process API has not: one path a line, C-quoted when unusual.
      // check-ignore refuses literal pathspecs; `./` keeps a name starting with `:` from being magic.
      const result = await runGit(api, ["check-ignore", "--", ...some.map((path) => `./${path}`)], {
        workspaceDir: options.workspaceDir,
        env: options.env,
        timeoutMs: COMMAND_TIMEOUT_MS,
      });
      // 0: some are ignored, 1: none; anything else (e.g. a path inside .git): no dimming from git.
      if (result.exitCode !== 0) return;
      for (const line of result.stdout.split("\n"))
        if (line) ignored.add(unquoteGitPath(line).replace(/^\.\//, "").replace(/\/$/, ""));
    }),
  );
  return ignored;
}

/**
 * One folder's entries: folders first, then files, by name; `ignored` from .gitignore or a noise
 * name; `change` against the base (a folder is "modified" when anything under it changed), with
 * deleted files listed too. A folder reached through a symlink is refused.
 */
export async function listFolder(
  api: WorkspaceApi,
  options: WorkspaceFilesOptions & { path: string; baseCommit: string },
): Promise<WorkspaceListing> {
  const relative = workspacePath(options.path);
  assertCommit(options.baseCommit, "The base commit");
  // Only the folder's subtree is walked, so a folder deep in a large workspace lists fast; a file
  // moved here from elsewhere is then marked "added" (the change list shows it as a rename).
  const changesPromise = withWorkingTreeIndex(
    api,
    options,
    (run) => nameStatus(api, run, options.baseCommit, relative),
    relative,
  );
  changesPromise.catch(() => {});
  const resolved = await resolve(api, options, relative, true);
  if (resolved.kind === "symlink")
    throw new WorkspacePathError("This is a symbolic link, which the panel does not follow.");
  if (resolved.kind !== null && resolved.kind !== "directory")
    throw new WorkspacePathError("This is a file, not a folder.");

  const insideNoise = relative.split("/").some((segment) => NOISE_NAMES.has(segment));
  const onDisk = resolved.children;
  const candidates = insideNoise
    ? []
    : onDisk
        .filter((entry) => !NOISE_NAMES.has(entry.name))
        .map((entry) => join(relative, entry.name) + (entry.kind === "directory" ? "/" : ""));
  const [ignored, changes] = await Promise.all([
    candidates.length > 0 ? ignoredPaths(api, options, candidates) : Promise.resolve(new Set<string>()),
    changesPromise,
  ]);

  const marks = changeMarks(changes, relative);
  const entries: WorkspaceEntry[] = onDisk.map((entry) => {
    const path = join(relative, entry.name);
    const kind: EntryKind = entry.kind === "other" ? "file" : entry.kind;
    return {
      name: entry.name,
      path,
      kind,
      size: kind === "file" ? entry.size : null,
      ignored: insideNoise || NOISE_NAMES.has(entry.name) || ignored.has(path),
      change: marks.get(entry.name)?.change ?? null,
    };
  });
  const present = new Set(onDisk.map((entry) => entry.name));
  for (const [name, mark] of marks) {
    if (present.has(name) || mark.change !== "deleted") continue;
    entries.push({
      name,
      path: join(relative, name),
      kind: mark.kind,
      size: null,
      ignored: false,
      change: "deleted",
    });
  }
  if (resolved.kind === null && entries.length === 0)
    throw new WorkspacePathError("There is no such folder in the workspace.", "not_found");
  entries.sort(compareEntries);
  return {
    path: relative,
    entries: entries.slice(0, LIST_ENTRIES_MAX),
    truncated: entries.length > LIST_ENTRIES_MAX || onDisk.length > LIST_ENTRIES_MAX,
  };
}

/** The change mark of each direct child of `folder` (a folder: "modified", or "deleted" when all under it was). */
export function changeMarks(changes: NameStatusEntry[], folder: string) {
  const prefix = folder ? `${folder}/` : "";
  const marks = new Map<string, { kind: "file" | "directory"; change: ChangeStatus }>();
  for (const change of changes) {
    if (!change.path.startsWith(prefix)) continue;
    const rest = change.path.slice(prefix.length);
    const slash = rest.indexOf("/");
    if (slash < 0) {
      marks.set(rest, { kind: "file", change: change.status });
      continue;
    }
    const name = rest.slice(0, slash);
    const known = marks.get(name);
    const change_ =
      change.status === "deleted" && (!known || known.change === "deleted") ? "deleted" : "modified";
    marks.set(name, { kind: "directory", change: change_ });
  }
  return marks;
}

// ---- Files --------------------------------------------------------------------------------------

/** At most `limit` + 1 bytes of a file, read through the fs API and stopped early. */
async function readHead(api: WorkspaceApi, absolute: string, limit: number): Promise<Buffer | null> {
  let stream: Awaited<ReturnType<WorkspaceApi["readFile"]>>;
  try {
    stream = await api.readFile(absolute);
  } catch {
    return null;
  }
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.from(chunk as Buffer);
      chunks.push(buffer);
      length += buffer.length;
      if (length > limit) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit + 1);
}

/**
 * A file's content: text up to 1 MiB (its head and `truncated` beyond), null for binary files;
 * a symlink's own text when its target stays inside the workspace (refused otherwise).
 */
export async function readWorkspaceFile(
  api: WorkspaceApi,
  options: WorkspaceFilesOptions & { path: string },
): Promise<WorkspaceFileContent> {
  const path = workspacePath(options.path);
  const resolved = await resolve(api, options, path);
  const base = { path, size: null, content: null, truncated: false, target: null };
  switch (resolved.kind) {
    case null:
      return { ...base, kind: "missing" };
    case "directory":
      return { ...base, kind: "directory" };
    case "symlink":
      if (!resolved.targetInside)
        throw new WorkspacePathError("This symbolic link points outside the workspace.");
      return { ...base, kind: "symlink", target: resolved.linkText };
    case "other":
      // A FIFO or socket: reading it could block; there is nothing to show.
      return { ...base, kind: "binary", size: resolved.size };
    default:
      break;
  }
  const head = await readHead(api, resolved.absolute, FILE_CONTENT_MAX);
  if (!head) return { ...base, kind: "missing" };
  const truncated = head.length > FILE_CONTENT_MAX || resolved.size > FILE_CONTENT_MAX;
  const kept = head.subarray(0, FILE_CONTENT_MAX);
  const content = decodeText(kept, truncated);
  return {
    ...base,
    kind: content === null ? "binary" : "text",
    size: Math.max(resolved.size, head.length),
    content,
    truncated: content === null ? false : truncated,
  };
}

// ---- One file's diff ----------------------------------------------------------------------------

/** The file at the base: its text, or why not (binary, too big). */
async function baseContent(
  api: WorkspaceApi,
  options: WorkspaceFilesOptions,
  baseCommit: string,
  path: string,
): Promise<{ content: string | null; tooBig: boolean }> {
  const run = gitOptions(options);
  const object = `${baseCommit}:${path}`;
  const size = Number((await git(api, ["cat-file", "-s", object], run)).trim());
  if (size > FILE_CONTENT_MAX) return { content: null, tooBig: true };
  const result = await runGit(api, ["cat-file", "blob", object], { ...run });
  if (result.exitCode !== 0) return { content: null, tooBig: false };
  return { content: result.stdout, tooBig: false };
}

/**
 * One changed file's two sides: at the base (its old path for a rename) and in the working tree,
 * each up to 1 MiB (over that, both are null and `truncated` is set), both null for binary files.
 * Refused (`not_found`) when the file has not changed since the base.
 */
/** The working tree's side; a symlink leading out shows no text (its file view refuses it). */
async function currentSide(api: WorkspaceApi, options: WorkspaceFilesOptions, path: string) {
  try {
    return await readWorkspaceFile(api, { ...options, path });
  } catch (error) {
    if (error instanceof WorkspacePathError) return null;
    throw error;
  }
}

export async function fileDiff(
  api: WorkspaceApi,
  options: WorkspaceFilesOptions & { baseCommit: string; path: string },
): Promise<WorkspaceFileDiff> {
  const path = workspacePath(options.path);
  const changes = await changeList(api, options, options.baseCommit);
  // A rename's old path (a folder listing can show it as deleted) opens the rename.
  const change =
    changes.find((entry) => entry.path === path) ??
    changes.find((entry) => entry.status === "renamed" && entry.oldPath === path);
  if (!change)
    throw new WorkspacePathError("This file has not changed since the session started.", "not_found");
  const result: WorkspaceFileDiff = {
    path: change.path,
    oldPath: change.oldPath,
    status: change.status,
    binary: change.binary,
    oldContent: null,
    newContent: null,
    truncated: false,
  };
  if (change.binary) return result;
  const [before, after] = await Promise.all([
    change.status === "added"
      ? Promise.resolve({ content: null, tooBig: false })
      : baseContent(api, options, options.baseCommit, change.oldPath ?? path),
    change.status === "deleted" ? Promise.resolve(null) : currentSide(api, options, change.path),
  ]);
  const afterTooBig = after?.truncated === true;
  if (before.tooBig || afterTooBig) return { ...result, truncated: true };
  if (after?.kind === "binary") return { ...result, binary: true };
  return {
    ...result,
    oldContent: before.content,
    newContent: after === null ? null : after.kind === "symlink" ? after.target : after.content,
  };
}
