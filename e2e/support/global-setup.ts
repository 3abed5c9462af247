import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startScriptedModelServer } from "../../packages/testkit/src/model-server/index.ts";
import { modelServerPort, remoteModelServer } from "./model-server.ts";
import { checkRemoteRun } from "./remote.ts";
import { forgetRun } from "./run-registry.ts";

const STALE_MS = 10 * 60 * 1000;

/**
 * Each run leaves its PostgreSQL data directory behind (the server is still running when teardown
 * hooks fire). Earlier runs' directories are removed here once their database has shut down.
 */
function removeStaleDataDirs() {
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

/**
 * Against a deployment (E2E_BASE_URL): checks it is a studio and the scripted model server answers,
 * and starts nothing. Here: starts the scripted model server the local studio's providers point at,
 * with its control endpoint on, for the whole run; the returned function stops it.
 */
export default async function globalSetup() {
  if (process.env.E2E_BASE_URL) {
    await checkRemoteRun();
    return;
  }
  removeStaleDataDirs();
  // The accounts this run records die with its studio's data directory: nothing to clean up later.
  const forgetAccounts = () => forgetRun(process.env.E2E_RUN_ID ?? "local");
  if (remoteModelServer) return forgetAccounts;
  const server = await startScriptedModelServer({
    port: modelServerPort,
    control: true,
    expectedKey: ["sk-e2e-scripted", "xai-e2e-org-key-0123456789"],
    // A prompt nobody scripted still gets an answer, so a forgotten script fails an assertion, not a hang.
    defaultReply: [{ text: "Unscripted reply." }],
  });
  return async () => {
    await server.close();
    forgetAccounts();
  };
}
