import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const STALE_MS = 10 * 60 * 1000;

/**
 * Each run leaves its PostgreSQL data directory behind (the server is still running when teardown
 * hooks fire). Earlier runs' directories are removed here once their database has shut down.
 */
export default function globalSetup() {
  const current = process.env.STUDIO_E2E_DATA_DIR;
  const tmp = os.tmpdir();
  for (const name of readdirSync(tmp)) {
    if (!name.startsWith("studio-e2e-")) continue;
    const dir = path.join(tmp, name);
    if (dir === current) continue;
    try {
      const running = existsSync(path.join(dir, "postgres", "postmaster.pid"));
      if (!running && Date.now() - statSync(dir).mtimeMs > STALE_MS)
        rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another run may be cleaning up the same directory.
    }
  }
}
