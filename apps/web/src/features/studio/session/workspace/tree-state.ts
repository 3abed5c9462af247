// The file tree's visible rows, flattened for a virtualised list: folders open only when a person
// opens them (or a filter finds something inside), placeholders while a folder loads.
import type { FolderListing, TreeEntry } from "./workspace-types.ts";

export type TreeRow =
  | { type: "entry"; entry: TreeEntry; depth: number; expanded: boolean; key: string }
  | { type: "loading" | "failed" | "truncated" | "empty"; folder: string; depth: number; key: string };

/** Listings by folder path ("" = the root); a folder not in the map has not loaded yet. */
export type Listings = ReadonlyMap<string, FolderListing>;

const matches = (entry: TreeEntry, needle: string) => entry.name.toLowerCase().includes(needle);

/** Whether a loaded folder holds (at any depth, among loaded folders) an entry matching the filter. */
function holdsMatch(listings: Listings, folder: string, needle: string, seen = new Set<string>()): boolean {
  const listing = listings.get(folder);
  if (!listing || seen.has(folder)) return false;
  seen.add(folder);
  return listing.entries.some(
    (entry) =>
      matches(entry, needle) ||
      (entry.kind === "directory" && holdsMatch(listings, entry.path, needle, seen)),
  );
}

/**
 * The rows to show. Without a filter: the root's entries and, under each expanded folder, its own
 * (a loading row until it arrives). With one: entries whose name contains it and the folders that
 * lead to them, among the folders loaded so far (a lazy tree cannot search what it has not read).
 */
export function visibleRows(
  listings: Listings,
  expanded: ReadonlySet<string>,
  filter = "",
  failed: ReadonlySet<string> = new Set(),
): TreeRow[] {
  const needle = filter.trim().toLowerCase();
  const rows: TreeRow[] = [];
  const walk = (folder: string, depth: number) => {
    const listing = listings.get(folder);
    if (!listing) {
      const type = failed.has(folder) ? "failed" : "loading";
      rows.push({ type, folder, depth, key: `${type}:${folder}` });
      return;
    }
    let shown = 0;
    for (const entry of listing.entries) {
      const isFolder = entry.kind === "directory";
      const inside = needle !== "" && isFolder && holdsMatch(listings, entry.path, needle);
      if (needle !== "" && !matches(entry, needle) && !inside) continue;
      const open = isFolder && (expanded.has(entry.path) || inside);
      rows.push({ type: "entry", entry, depth, expanded: open, key: `entry:${entry.path}` });
      shown++;
      if (open) walk(entry.path, depth + 1);
    }
    if (listing.truncated) rows.push({ type: "truncated", folder, depth, key: `truncated:${folder}` });
    else if (shown === 0 && needle === "" && folder !== "") {
      rows.push({ type: "empty", folder, depth, key: `empty:${folder}` });
    }
  };
  walk("", 0);
  return rows;
}

/** The row of the folder holding row `index` (for ArrowLeft), or -1 at the top level. */
export function parentRowIndex(rows: readonly TreeRow[], index: number): number {
  const depth = rows[index]?.depth ?? 0;
  for (let i = index - 1; i >= 0; i--) if ((rows[i]?.depth ?? 0) < depth) return i;
  return -1;
}

/** Folders whose listing the tree needs: the root and every expanded folder still shown. */
export function foldersToLoad(rows: readonly TreeRow[]): string[] {
  const folders = new Set<string>([""]);
  for (const row of rows) if (row.type === "loading") folders.add(row.folder);
  return [...folders];
}

/** Opens every folder on the way to `path` (to reveal a file opened from elsewhere). */
export function expandTo(expanded: ReadonlySet<string>, path: string): Set<string> {
  const next = new Set(expanded);
  const segments = path.split("/");
  for (let i = 1; i < segments.length; i++) next.add(segments.slice(0, i).join("/"));
  return next;
}

export const changeLetters = { added: "A", modified: "M", deleted: "D", renamed: "R" } as const;
