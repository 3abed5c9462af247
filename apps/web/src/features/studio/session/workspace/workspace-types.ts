// The shapes of the `workspace.*` procedures as the panel reads them (the contract of issue 20).
// Kept here, rather than taken from RouterOutputs, so the pure logic and its tests stand alone.

export type ChangeStatus = "added" | "modified" | "deleted" | "renamed";

export interface TreeEntry {
  name: string;
  path: string;
  kind: "file" | "directory" | "symlink";
  size: number | null;
  ignored: boolean;
  change: ChangeStatus | null;
}

export interface FolderListing {
  path: string;
  entries: TreeEntry[];
  truncated: boolean;
}

export interface ChangedFile {
  path: string;
  oldPath: string | null;
  status: ChangeStatus;
  additions: number | null;
  deletions: number | null;
  binary: boolean;
}

export type WorkspaceView = "files" | "file" | "changes";
