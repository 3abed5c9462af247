// The shapes of what the workspace panel reads from a session's workspace: written once, here,
// because the sandbox produces them (packages/sandbox, workspace-files), core passes them through
// its port (core/workspace) and the API's outputs check them. Paths are workspace-relative POSIX
// paths, "" being the root.

/** How a file differs from the session's base. */
export const WORKSPACE_CHANGE_STATUSES = ["added", "modified", "deleted", "renamed"] as const;
export type WorkspaceChangeStatus = (typeof WORKSPACE_CHANGE_STATUSES)[number];

export const WORKSPACE_ENTRY_KINDS = ["file", "directory", "symlink"] as const;
export type WorkspaceEntryKind = (typeof WORKSPACE_ENTRY_KINDS)[number];

/** What a path turned out to be when its content was asked for. */
export const WORKSPACE_FILE_KINDS = ["text", "binary", "missing", "directory", "symlink"] as const;
export type WorkspaceFileKind = (typeof WORKSPACE_FILE_KINDS)[number];

export interface WorkspaceEntry {
  name: string;
  path: string;
  kind: WorkspaceEntryKind;
  /** Bytes, for files only. */
  size: number | null;
  /** .gitignore or a noise name (node_modules, .git, dist…): shown collapsed and dimmed. */
  ignored: boolean;
  /** Against the session's base; a folder is "modified" when anything under it changed. */
  change: WorkspaceChangeStatus | null;
}

export interface WorkspaceListing {
  path: string;
  entries: WorkspaceEntry[];
  truncated: boolean;
}

export interface WorkspaceFileContent {
  path: string;
  kind: WorkspaceFileKind;
  size: number | null;
  content: string | null;
  truncated: boolean;
  /** A symlink's text (only for one whose target stays inside the workspace). */
  target: string | null;
}

export interface WorkspaceChange {
  path: string;
  oldPath: string | null;
  status: WorkspaceChangeStatus;
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
  status: WorkspaceChangeStatus;
  binary: boolean;
  oldContent: string | null;
  newContent: string | null;
  truncated: boolean;
}
