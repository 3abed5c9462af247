// The shapes the workspace panel's reads return (see operations.ts), and their limits.

export const LIST_ENTRIES_MAX = 2000;
export const FILE_CONTENT_MAX = 1024 * 1024;
export const CHANGES_MAX = 3000;
export const COMMAND_TIMEOUT_MS = 60_000;

export interface WorkspaceFilesOptions {
  workspaceDir: string;
  env?: Record<string, string>;
}

export type {
  WorkspaceChange,
  WorkspaceChanges,
  WorkspaceEntry,
  WorkspaceEntryKind as EntryKind,
  WorkspaceFileContent,
  WorkspaceFileDiff,
  WorkspaceListing,
} from "@studio/models";
