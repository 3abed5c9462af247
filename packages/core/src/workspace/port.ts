// What the workspace panel reads from a session's workspace, as the server's binding provides it
// (packages/sandbox's workspace-files, run inside the session's sandbox). Paths are
// workspace-relative POSIX paths, "" being the root, already checked by `workspacePathSchema`.
// A binding throws AppError: BAD_REQUEST for a path the panel refuses (through or to a symlink
// leading out), NOT_FOUND for a folder that is not there or a file that has not changed.

import type {
  WorkspaceChanges,
  WorkspaceFileContent,
  WorkspaceFileDiff,
  WorkspaceListing,
} from "@studio/models";

export type {
  WorkspaceChange as WorkspaceChangeView,
  WorkspaceChangeStatus,
  WorkspaceChanges as WorkspaceChangesView,
  WorkspaceEntry as WorkspaceEntryView,
  WorkspaceFileContent as WorkspaceFileView,
  WorkspaceFileDiff as WorkspaceDiffView,
  WorkspaceListing as WorkspaceListingView,
} from "@studio/models";

/** The panel's reads, on one session's running workspace (part of `SessionWorkspace`). */
export interface WorkspaceReader {
  /** One folder's entries (at most 2,000), marked against `baseCommit`. */
  list(path: string, baseCommit: string): Promise<WorkspaceListing>;
  /** One file's content, at most 1 MiB of it. */
  file(path: string): Promise<WorkspaceFileContent>;
  /** Every change since `baseCommit` (at most 3,000 files), untracked files and renames included. */
  changes(baseCommit: string): Promise<WorkspaceChanges>;
  /** One changed file's two sides. */
  diff(baseCommit: string, path: string): Promise<WorkspaceFileDiff>;
}
