// How a folder chosen or dropped in the browser becomes zip entries: paths relative to the folder
// itself (its own name is not a directory in the workspace), with "/" separators, never absolute or
// climbing out, and without the desktop's own litter.

/** Files operating systems leave in folders that nobody means to upload. */
const LITTER = new Set([".DS_Store", "Thumbs.db", "desktop.ini"]);
const LITTER_DIRECTORIES = new Set(["__MACOSX"]);

/**
 * Cleans one path: "/" separators, no empty, "." or ".." segments, nothing absolute. Returns null for
 * a path that has nothing left or that names litter.
 */
export function cleanEntryPath(path: string): string | null {
  const segments = path
    .replace(/\\/g, "/")
    .split("/")
    .filter((segment) => segment !== "" && segment !== "." && segment !== "..");
  // A drive letter ("C:") is not a folder in the workspace.
  if (segments[0] && /^[A-Za-z]:$/.test(segments[0])) segments.shift();
  if (segments.length === 0) return null;
  if (segments.some((segment) => LITTER_DIRECTORIES.has(segment))) return null;
  if (LITTER.has(segments.at(-1) ?? "")) return null;
  return segments.join("/");
}

export interface EntrySource<T> {
  /** The path the browser reports: `webkitRelativePath` or a dropped entry's `fullPath`. */
  path: string;
  item: T;
}

/**
 * Zip entry names for the files of one chosen or dropped folder, under the folder's own name. The
 * studio removes a single wrapping folder from every upload (as from a GitHub archive), so the
 * picked folder's contents land at the workspace's root; removing it here too would also remove a
 * lone folder inside it. Duplicates (the same path twice) keep the first.
 */
export function folderEntries<T>(sources: readonly EntrySource<T>[]): Array<{ path: string; item: T }> {
  const cleaned = sources.flatMap((source) => {
    const path = cleanEntryPath(source.path);
    return path === null ? [] : [{ path, item: source.item }];
  });
  const seen = new Set<string>();
  const entries: Array<{ path: string; item: T }> = [];
  for (const { path, item } of cleaned) {
    if (seen.has(path)) continue;
    seen.add(path);
    entries.push({ path, item });
  }
  return entries;
}

/** The name of the folder that was picked, for the upload's file name ("my-app.zip"). */
export function folderName(sources: readonly { path: string }[]): string {
  const first = sources.map((source) => cleanEntryPath(source.path)).find((path) => path?.includes("/"));
  return first?.split("/")[0] ?? "folder";
}

/** File types already compressed: stored as they are, since deflating them again only costs time. */
const COMPRESSED =
  /\.(?:zip|gz|tgz|bz2|xz|zst|7z|rar|jar|war|png|jpe?g|gif|webp|avif|mp[34]|mov|webm|woff2?|pdf)$/i;

export function isAlreadyCompressed(path: string): boolean {
  return COMPRESSED.test(path);
}
