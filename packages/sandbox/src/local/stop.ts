// Stopping one local sandbox: its server's process group plus strays found by /proc scan.
import { type LocalSandboxState, type SandboxPaths, writeState } from "./layout.ts";
import { scanSandboxProcesses } from "./procfs.ts";
import { isOurServer } from "./server.ts";
import { removeSocketDir } from "./sockets.ts";
import { terminate } from "./terminate.ts";

/** Ends a sandbox's server group and every other process of its directory; marks it stopped. */
export async function stopSandbox(
  root: string,
  paths: SandboxPaths,
  state: LocalSandboxState | null,
  graceMs: number,
  known: number[] = [],
): Promise<void> {
  const server = state?.server;
  // Only signal the recorded group when the PID is provably still ours (not reused).
  const pgid = server && isOurServer(server) ? server.pgid : undefined;
  const strays = () => scanSandboxProcesses(root).get(paths.dir) ?? [];
  await terminate({ pgid, pids: [...known, ...strays()] }, graceMs);
  // A process may have been forked during the grace period: one more sweep.
  const late = strays();
  if (late.length) await terminate({ pids: late }, graceMs);
  if (state?.server) {
    // A socket directory under the temp dir would otherwise outlive the sandbox.
    if (state.server.sockets) removeSocketDir(state.server.sockets);
    state.server = null;
    try {
      writeState(paths, state);
    } catch {} // directory already removed
  }
}
