// Where a workspace-relative path is inside the sandbox, checked there with `realpath` so that no
// folder on the way is a symlink (which the kernel would follow, maybe out of the workspace).
import type { WorkspaceApi } from "../agent-api/client.ts";
import type { GitRunOptions } from "../workspace-git/git.ts";
import { type FindEntry, parseFindRecords, WorkspacePathError } from "./parse.ts";
import { COMMAND_TIMEOUT_MS, LIST_ENTRIES_MAX, type WorkspaceFilesOptions } from "./types.ts";

export const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);
export const parentOf = (path: string) => (path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "");

export function gitOptions(
  options: WorkspaceFilesOptions,
  extraEnv: Record<string, string> = {},
): GitRunOptions {
  // Literal pathspecs: a file named `:(glob)*` is that file, not every file.
  return {
    workspaceDir: options.workspaceDir,
    env: { ...options.env, GIT_LITERAL_PATHSPECS: "1", ...extraEnv },
    timeoutMs: COMMAND_TIMEOUT_MS,
  };
}

export interface Resolved {
  /** Absolute path in the sandbox. */
  absolute: string;
  /** What `lstat` says about the path itself (never its symlink's target); null when missing. */
  kind: "file" | "directory" | "symlink" | "other" | null;
  size: number;
  /** A symlink's text. */
  linkText: string;
  /** A symlink's fully resolved target stays inside the workspace. */
  targetInside: boolean;
  /** Only `listChildren`: the folder's entries (at most LIST_ENTRIES_MAX + 1). */
  children: FindEntry[];
}

// $1 workspace, $2 the path's parent, $3 the path. Prints the three resolved paths, then the path's
// own type/size/link text, then (with $4 = list, for a real folder) its entries, all NUL-ended.
const RESOLVE_SCRIPT = `realpath -z -m -- "$1" "$2" "$3" || exit 3
find "$3" -maxdepth 0 -printf '%y/%s/%l\\0' 2>/dev/null || printf 'x/0/\\0'
if [ "$4" = list ] && [ -d "$3" ] && [ ! -L "$3" ]; then
  find "$3/" -mindepth 1 -maxdepth 1 -printf '%y/%s/%f\\0' 2>/dev/null | head -z -n ${LIST_ENTRIES_MAX + 1}
fi
exit 0`;

/**
 * Where a workspace-relative path is, refused when any folder on the way is a symlink (the kernel
 * would follow it, maybe out of the workspace) — checked by comparing real paths inside the sandbox.
 */
export async function resolve(
  api: WorkspaceApi,
  options: WorkspaceFilesOptions,
  relative: string,
  listChildren = false,
): Promise<Resolved> {
  const root = options.workspaceDir.replace(/\/+$/, "");
  const absolute = relative ? `${root}/${relative}` : root;
  const parent = relative ? join(root, parentOf(relative)).replace(/\/$/, "") : root;
  const result = await api.run(
    "sh",
    ["-c", RESOLVE_SCRIPT, "sh", root, parent, absolute, listChildren ? "list" : ""],
    { timeoutMs: COMMAND_TIMEOUT_MS, maxOutputBytes: 8 * 1024 * 1024 },
  );
  if (result.exitCode !== 0)
    throw new Error(`The workspace path could not be resolved: ${result.stderr.trim()}`);
  const fields = result.stdout.split("\0");
  const [rootReal = "", parentReal = "", fullReal = "", self = "x/0/"] = fields;
  const expectedParent = relative && parentOf(relative) ? `${rootReal}/${parentOf(relative)}` : rootReal;
  if (parentReal !== expectedParent)
    throw new WorkspacePathError("The path goes through a symbolic link, which the panel does not follow.");
  const first = self.indexOf("/");
  const second = self.indexOf("/", first + 1);
  const letter = self.slice(0, first);
  const kind =
    letter === "x"
      ? null
      : letter === "f"
        ? "file"
        : letter === "d"
          ? "directory"
          : letter === "l"
            ? "symlink"
            : "other";
  return {
    absolute,
    kind,
    size: Number(self.slice(first + 1, second)) || 0,
    linkText: kind === "symlink" ? self.slice(second + 1) : "",
    targetInside: fullReal === rootReal || fullReal.startsWith(`${rootReal}/`),
    children: listChildren ? parseFindRecords(fields.slice(4).filter(Boolean)) : [],
  };
}
