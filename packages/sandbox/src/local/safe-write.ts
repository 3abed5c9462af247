// Writing into directories the agent controls, from the studio's side (unconfined). A confined
// agent may plant symlinks (`workspace/opencode.json -> /some/host/file`, or a symlinked parent
// directory) so that the studio's next write lands outside the sandbox; this refuses both.
import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { SandboxPathError } from "../files.ts";

function inside(file: string, dirs: string[]): boolean {
  return dirs.some((dir) => file === dir || file.startsWith(`${dir}/`));
}

/** mkdir -p that refuses to create anything through a symlink leading out of `allowed`. */
export function safeMkdir(dir: string, allowed: string[]): void {
  const realAllowed = allowed.map((d) => realpathSync(d));
  const check = (existing: string) => {
    if (!inside(realpathSync(existing), realAllowed)) {
      throw new SandboxPathError(`refusing to write through a symlink out of the sandbox: ${dir}`);
    }
  };
  let existing = dir;
  while (!existsSync(existing)) existing = path.dirname(existing);
  check(existing); // before creating anything below it
  mkdirSync(dir, { recursive: true });
  check(dir);
}

export function safeWriteFile(target: string, content: string, mode: number, allowed: string[]): void {
  safeMkdir(path.dirname(target), allowed);
  try {
    // A symlink as the last component is replaced, never followed.
    if (lstatSync(target).isSymbolicLink()) unlinkSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const fd = openSync(
    target,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
    mode,
  );
  try {
    writeSync(fd, content);
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}
