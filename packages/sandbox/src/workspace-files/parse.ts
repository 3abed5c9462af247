// Pure parsing for the workspace panel: the paths a person asks for, git's NUL-separated outputs
// (`-z`, so any file name survives), and whether bytes are text.

/** A path refused before anything runs: it leaves the workspace or is not a plain relative path. */
export class WorkspacePathError extends Error {
  override readonly name = "WorkspacePathError";
  constructor(
    message: string,
    /** `refused`: the path may not be read this way; `not_found`: nothing is there (or nothing changed). */
    readonly reason: "refused" | "not_found" = "refused",
  ) {
    super(message);
  }
}

export const WORKSPACE_PATH_MAX = 4096;

/**
 * A workspace-relative POSIX path, normalised ("" is the root; `.` and empty segments dropped).
 * Refuses `..` segments, absolute paths, NUL, backslashes and paths over 4,096 characters: the
 * panel never needs them, and refusing beats resolving.
 */
export function workspacePath(raw: string): string {
  if (typeof raw !== "string") throw new WorkspacePathError("A path must be text.");
  if (raw.length > WORKSPACE_PATH_MAX) throw new WorkspacePathError("The path is too long.");
  if (raw.includes("\0")) throw new WorkspacePathError("The path contains a NUL character.");
  if (raw.includes("\\")) throw new WorkspacePathError("The path contains a backslash.");
  if (raw.startsWith("/")) throw new WorkspacePathError("The path must be relative to the workspace.");
  const segments = raw.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) throw new WorkspacePathError("The path must not contain `..`.");
  return segments.join("/");
}

export type { WorkspaceChangeStatus as ChangeStatus } from "@studio/models";

import type { WorkspaceChangeStatus as ChangeStatus } from "@studio/models";

export interface NameStatusEntry {
  path: string;
  oldPath: string | null;
  status: ChangeStatus;
}

/** Git's status letters as the panel's four (copies are additions; type changes are modifications). */
function statusOf(letter: string): ChangeStatus {
  switch (letter[0]) {
    case "A":
    case "C":
      return "added";
    case "D":
      return "deleted";
    case "R":
      return "renamed";
    default:
      return "modified";
  }
}

/** `git diff --name-status -z`: `<status>\0<path>\0`, or `R<score>\0<old>\0<new>\0` for renames and copies. */
export function parseNameStatusZ(output: string): NameStatusEntry[] {
  const fields = output.split("\0");
  const entries: NameStatusEntry[] = [];
  for (let i = 0; i < fields.length; ) {
    const letter = fields[i++];
    if (!letter) continue;
    if (letter[0] === "R" || letter[0] === "C") {
      const oldPath = fields[i++] ?? "";
      const path = fields[i++] ?? "";
      entries.push({ path, oldPath: letter[0] === "R" ? oldPath : null, status: statusOf(letter) });
    } else {
      entries.push({ path: fields[i++] ?? "", oldPath: null, status: statusOf(letter) });
    }
  }
  return entries.filter((entry) => entry.path !== "");
}

export interface NumstatEntry {
  path: string;
  oldPath: string | null;
  /** null for binary files (git prints `-`). */
  additions: number | null;
  deletions: number | null;
}

/** `git diff --numstat -z`: `<add>\t<del>\t<path>\0`, or `<add>\t<del>\t\0<old>\0<new>\0` for renames. */
export function parseNumstatZ(output: string): NumstatEntry[] {
  const fields = output.split("\0");
  const entries: NumstatEntry[] = [];
  const count = (text: string | undefined) => (text === undefined || text === "-" ? null : Number(text));
  for (let i = 0; i < fields.length; ) {
    const head = fields[i++];
    if (!head) continue;
    const [additions, deletions, ...rest] = head.split("\t");
    const inlinePath = rest.join("\t");
    if (inlinePath === "") {
      const oldPath = fields[i++] ?? "";
      const path = fields[i++] ?? "";
      entries.push({ path, oldPath, additions: count(additions), deletions: count(deletions) });
    } else {
      entries.push({
        path: inlinePath,
        oldPath: null,
        additions: count(additions),
        deletions: count(deletions),
      });
    }
  }
  return entries;
}

export interface StatusV2Entry {
  path: string;
  oldPath: string | null;
  /** The two-letter XY (index, work tree); "??" untracked, "!!" ignored. */
  xy: string;
}

/**
 * `git status --porcelain=v2 -z`: `1 XY sub mH mI mW hH hI path`, `2 XY sub mH mI mW hH hI Xscore
 * path\0origPath`, `u XY …  path`, `? path`, `! path`; `#` headers are skipped.
 */
export function parseStatusV2Z(output: string): StatusV2Entry[] {
  const fields = output.split("\0");
  const entries: StatusV2Entry[] = [];
  const afterSpaces = (line: string, spaces: number) => {
    let at = 0;
    for (let n = 0; n < spaces; n++) at = line.indexOf(" ", at) + 1;
    return line.slice(at);
  };
  for (let i = 0; i < fields.length; ) {
    const line = fields[i++];
    if (!line) continue;
    switch (line[0]) {
      case "1":
        entries.push({ xy: line.slice(2, 4), path: afterSpaces(line, 8), oldPath: null });
        break;
      case "2":
        entries.push({ xy: line.slice(2, 4), path: afterSpaces(line, 9), oldPath: fields[i++] ?? null });
        break;
      case "u":
        entries.push({ xy: line.slice(2, 4), path: afterSpaces(line, 10), oldPath: null });
        break;
      case "?":
        entries.push({ xy: "??", path: line.slice(2), oldPath: null });
        break;
      case "!":
        entries.push({ xy: "!!", path: line.slice(2), oldPath: null });
        break;
      default:
        break;
    }
  }
  return entries;
}

export type FindKind = "file" | "directory" | "symlink" | "other";

export interface FindEntry {
  name: string;
  kind: FindKind;
  size: number;
}

function kindOfLetter(letter: string): FindKind {
  if (letter === "f") return "file";
  if (letter === "d") return "directory";
  if (letter === "l") return "symlink";
  return "other";
}

/** `find -printf '%y/%s/%f\0'` records (the name last: it may hold anything but NUL and `/`). */
export function parseFindRecords(records: string[]): FindEntry[] {
  const entries: FindEntry[] = [];
  for (const record of records) {
    const first = record.indexOf("/");
    const second = record.indexOf("/", first + 1);
    if (first < 0 || second < 0) continue;
    const name = record.slice(second + 1);
    if (!name || name === "." || name === "..") continue;
    entries.push({
      kind: kindOfLetter(record.slice(0, first)),
      size: Number(record.slice(first + 1, second)) || 0,
      name,
    });
  }
  return entries;
}

const BINARY_SNIFF_BYTES = 8 * 1024;

/**
 * The text in `bytes`, or null when they look binary: a NUL in the first 8 KiB, or invalid UTF-8.
 * `cut` says the bytes are the head of a longer file, so a character split at the end is dropped
 * rather than taken for invalid UTF-8.
 */
export function decodeText(bytes: Uint8Array, cut: boolean): string | null {
  const sniff = bytes.subarray(0, BINARY_SNIFF_BYTES);
  if (sniff.includes(0)) return null;
  let end = bytes.length;
  if (cut) end = completeUtf8End(bytes);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, end));
  } catch {
    return null;
  }
}

/** The length of `bytes` without a multi-byte UTF-8 character cut off at the end. */
export function completeUtf8End(bytes: Uint8Array): number {
  // Walk back over at most 3 continuation bytes to the lead byte of the last character.
  let lead = bytes.length - 1;
  while (lead >= 0 && lead > bytes.length - 4 && (bytes[lead]! & 0xc0) === 0x80) lead--;
  if (lead < 0) return bytes.length;
  const byte = bytes[lead]!;
  const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
  return bytes.length - lead < needed ? lead : bytes.length;
}

/** Names the panel shows dimmed and collapsed even without a .gitignore saying so. */
export const NOISE_NAMES: ReadonlySet<string> = new Set([
  ".git",
  "node_modules",
  "dist",
  "build",
  ".next",
  "target",
  "__pycache__",
  ".venv",
  "venv",
  "coverage",
]);

/** Directories first, then the rest, each by name without regard to case (then by code point). */
export function compareEntries(a: { name: string; kind: string }, b: { name: string; kind: string }): number {
  const aDir = a.kind === "directory" ? 0 : 1;
  const bDir = b.kind === "directory" ? 0 : 1;
  if (aDir !== bDir) return aDir - bDir;
  const aLower = a.name.toLowerCase();
  const bLower = b.name.toLowerCase();
  if (aLower !== bLower) return aLower < bLower ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 };

/** A path as git prints it outside `-z`: C-quoted (`"a\tb\303\251"`) when unusual, else verbatim. */
export function unquoteGitPath(text: string): string {
  if (!(text.startsWith('"') && text.endsWith('"') && text.length >= 2)) return text;
  const bytes: number[] = [];
  const body = text.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== "\\") {
      bytes.push(...Buffer.from(char));
      continue;
    }
    const next = body[i + 1] ?? "";
    if (/[0-7]/.test(next)) {
      bytes.push(Number.parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(C_ESCAPES[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}
