// Where a WorkspaceFile lands. Relative paths are inside the workspace, `~/…` inside the sandbox's
// HOME (a small extension: callers do not know a local sandbox's HOME before it exists), absolute
// paths as given. Providers pass `allowed` so a file can never be written outside the sandbox.
import path from "node:path";
import type { WorkspaceFile } from "./types.ts";

export class SandboxPathError extends Error {
  override readonly name = "SandboxPathError";
}

export interface PathContext {
  workspace: string;
  home: string;
  /** Absolute results must be inside one of these (the sandbox's own directories). */
  allowed?: string[];
}

export function resolveSandboxPath(file: string, context: PathContext): string {
  if (!file || file.includes("\0")) throw new SandboxPathError(`invalid path ${JSON.stringify(file)}`);
  let resolved: string;
  if (file === "~" || file.startsWith("~/")) resolved = path.posix.join(context.home, file.slice(1));
  else if (path.posix.isAbsolute(file)) resolved = path.posix.normalize(file);
  else {
    resolved = path.posix.join(context.workspace, file);
    if (resolved !== context.workspace && !resolved.startsWith(`${context.workspace}/`)) {
      throw new SandboxPathError(`path escapes the workspace: ${file}`);
    }
  }
  if (context.allowed && !context.allowed.some((dir) => resolved === dir || resolved.startsWith(`${dir}/`))) {
    throw new SandboxPathError(`path outside the sandbox: ${file}`);
  }
  return resolved;
}

export function resolveFiles(
  files: WorkspaceFile[],
  context: PathContext,
): Array<WorkspaceFile & { target: string }> {
  return files.map((file) => ({ ...file, target: resolveSandboxPath(file.path, context) }));
}
