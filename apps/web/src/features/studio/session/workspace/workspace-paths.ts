// Workspace-relative POSIX paths: "" is the root, "a/b.txt" a file in folder "a".

/** A path the panel can open: relative, inside the workspace, without `..`, `.`-only or NUL. */
export function isWorkspacePath(path: string): boolean {
  if (path === "" || path.startsWith("/") || path.includes("\\") || path.includes("\0")) return false;
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) return false; // file://, C:, http:
  const segments = path.split("/");
  return segments.every((segment) => segment !== "..") && segments.some((s) => s !== "" && s !== ".");
}

/** "./a//b/" → "a/b"; null for a path that is not inside the workspace. */
export function normalisePath(path: string): string | null {
  const trimmed = path.trim();
  if (!isWorkspacePath(trimmed)) return null;
  return trimmed
    .split("/")
    .filter((segment) => segment !== "" && segment !== ".")
    .join("/");
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Every folder holding `path`, from the root down: "a/b/c.txt" → ["", "a", "a/b"]. */
export function foldersHolding(path: string): string[] {
  const folders = [""];
  const segments = path.split("/");
  for (let i = 1; i < segments.length; i++) folders.push(segments.slice(0, i).join("/"));
  return folders;
}

/** The extension highlight.js knows a file by ("src/a.test.ts" → "ts"), or undefined. */
export function languageOf(path: string): string | undefined {
  const name = baseName(path).toLowerCase();
  if (name === "dockerfile" || name === "makefile") return undefined;
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1) : undefined;
}
