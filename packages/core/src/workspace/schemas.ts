import { z } from "zod";

export const WORKSPACE_PATH_MAX = 4096;

/**
 * Why a workspace path is refused, or null: the panel's paths are workspace-relative POSIX paths
 * with no `..` segment, no leading `/`, no NUL and no backslash (the sandbox checks again, and
 * refuses symlinks that lead out).
 */
export function workspacePathProblem(path: string): string | null {
  if (path.includes("\0")) return "The path contains a NUL character.";
  if (path.includes("\\")) return "The path contains a backslash.";
  if (path.startsWith("/")) return "The path must be relative to the workspace.";
  if (path.split("/").includes("..")) return "The path must not contain `..`.";
  return null;
}

/** "" is the workspace's root; `.` and empty segments are dropped. */
export const workspacePathSchema = z
  .string()
  .max(WORKSPACE_PATH_MAX)
  .superRefine((path, context) => {
    const problem = workspacePathProblem(path);
    if (problem) context.addIssue({ code: "custom", message: problem });
  })
  .transform((path) =>
    path
      .split("/")
      .filter((segment) => segment !== "" && segment !== ".")
      .join("/"),
  );

const sessionId = z.string().min(1).max(64);

export const workspaceListInput = z.object({ sessionId, path: workspacePathSchema });
export const workspaceFileInput = z.object({ sessionId, path: workspacePathSchema });
export const workspaceChangesInput = z.object({ sessionId });
export const workspaceDiffInput = z.object({ sessionId, path: workspacePathSchema });
