// Test support: what a sandbox holds on disk, for tests that look for a secret where it must never be.
import { type Dirent, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/**
 * Every file below `dir` with its contents, as it is now. The agent keeps writing (caches, temporary
 * files): a file or directory that vanishes between listing and reading is skipped, not an error.
 */
export function filesUnder(dir: string): Array<{ file: string; text: string }> {
  const files: Array<{ file: string; text: string }> = [];
  const visit = (at: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return; // gone
    }
    for (const entry of entries) {
      const file = path.join(at, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (entry.isFile()) {
        try {
          if (statSync(file).size < 20 * 1024 * 1024)
            files.push({ file, text: readFileSync(file, "latin1") });
        } catch {
          // gone
        }
      }
    }
  };
  visit(dir);
  return files;
}
