// The shapes the workspace panel's reads return (see operations.ts), and their limits.
import type { ChangeStatus } from "./parse.ts";

export const LIST_ENTRIES_MAX = 2000;
export const FILE_CONTENT_MAX = 1024 * 1024;
export const CHANGES_MAX = 3000;
export const COMMAND_TIMEOUT_MS = 60_000;

export interface WorkspaceFilesOptions {
  workspaceDir: string;
  env?: Record<string, string>;
}

export type EntryKind = "file" | "directory" | "symlink";

export interface WorkspaceEntry {
  name: string;
  path: string;
  kind: EntryKind;
  size: number | null;
  ignored: boolean;
  change: ChangeStatus | null;
}

export interface WorkspaceListing {
  path: string;
  entries: WorkspaceEntry[];
  truncated: boolean;
}

export interface WorkspaceFileContent {
  path: string;
  kind: "text" | "binary" | "missing" | "directory" | "symlink";
  size: number | null;
  content: string | null;
  truncated: boolean;
  target: string | null;
}

export interface WorkspaceChange {
  path: string;
  oldPath: string | null;
  status: ChangeStatus;
  additions: number | null;
  deletions: number | null;
  binary: boolean;
}

export interface WorkspaceChanges {
  baseCommit: string;
  files: WorkspaceChange[];
  totals: { files: number; additions: number; deletions: number };
  truncated: boolean;
}

export interface WorkspaceFileDiff {
  path: string;
  oldPath: string | null;
  status: ChangeStatus;
  binary: boolean;
  oldContent: string | null;
  newContent: string | null;
  truncated: boolean;
}
