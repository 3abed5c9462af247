// What the workspace panel reads from a session's workspace, as the server's binding provides it
// (packages/sandbox's workspace-files, run inside the session's sandbox). Paths are
// workspace-relative POSIX paths, "" being the root, already checked by `workspacePathSchema`.
// A binding throws AppError: BAD_REQUEST for a path the panel refuses (through or to a symlink
// leading out), NOT_FOUND for a folder that is not there or a file that has not changed.

export type WorkspaceChangeStatus = "added" | "modified" | "deleted" | "renamed";

export interface WorkspaceEntryView {
  name: string;
  path: string;
  kind: "file" | "directory" | "symlink";
  /** Bytes, for files only. */
  size: number | null;
  /** .gitignore or a noise name (node_modules, .git, dist…): shown collapsed and dimmed. */
  ignored: boolean;
  /** Against the session's base; a folder is "modified" when anything under it changed. */
  change: WorkspaceChangeStatus | null;
}

export interface WorkspaceListingView {
  path: string;
  entries: WorkspaceEntryView[];
  truncated: boolean;
}

export interface WorkspaceFileView {
  path: string;
  kind: "text" | "binary" | "missing" | "directory" | "symlink";
  size: number | null;
  content: string | null;
  truncated: boolean;
  /** A symlink's text (only for one whose target stays inside the workspace). */
  target: string | null;
}

export interface WorkspaceChangeView {
  path: string;
  oldPath: string | null;
  status: WorkspaceChangeStatus;
  additions: number | null;
  deletions: number | null;
  binary: boolean;
}

export interface WorkspaceChangesView {
  baseCommit: string;
  files: WorkspaceChangeView[];
  totals: { files: number; additions: number; deletions: number };
  truncated: boolean;
}

export interface WorkspaceDiffView {
  path: string;
  oldPath: string | null;
  status: WorkspaceChangeStatus;
  binary: boolean;
  oldContent: string | null;
  newContent: string | null;
  truncated: boolean;
}

/** The panel's reads, on one session's running workspace (part of `SessionWorkspace`). */
export interface WorkspaceReader {
  /** One folder's entries (at most 2,000), marked against `baseCommit`. */
  list(path: string, baseCommit: string): Promise<WorkspaceListingView>;
  /** One file's content, at most 1 MiB of it. */
  file(path: string): Promise<WorkspaceFileView>;
  /** Every change since `baseCommit` (at most 3,000 files), untracked files and renames included. */
  changes(baseCommit: string): Promise<WorkspaceChangesView>;
  /** One changed file's two sides. */
  diff(baseCommit: string, path: string): Promise<WorkspaceDiffView>;
}
