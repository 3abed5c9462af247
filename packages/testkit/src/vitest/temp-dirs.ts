// Throwaway directories for a test file, removed after its tests, pass or fail.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

/**
 * Call at the top of a test file, before its own hooks: the returned function makes a directory
 * under the system's temp directory. After the file's other `afterAll` hooks (vitest runs them
 * last-registered first), `beforeRemove` sees each directory (to end what still runs there, say),
 * then it is deleted.
 */
export function useTempDirs(beforeRemove?: (dir: string) => void): (prefix: string) => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) {
      beforeRemove?.(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return (prefix) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}
