// Test support: the studio started the way Playwright's webServer (and a terminal running `npm
// start`) starts it: `pnpm --filter @studio/server start` under `sh`, leading a process group of its
// own with the studio and its embedded PostgreSQL inside, output piped to the parent. Playwright
// stops it with a signal to the whole group, then stops reading the pipes when it exits.
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { processGroup } from "./processes.ts";
import { launchStudio } from "./studio-process.ts";

const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..", "..");

export interface StudioGroup {
  url: string;
  child: ChildProcess;
  output: string[];
  /**
   * Signals the whole group, waits for the shell at its head to exit, then closes the pipes as a
   * parent that exits does: whatever the studio writes afterwards finds no reader. `busyMs` holds
   * the studio process still (SIGSTOP) that long around the signal: a studio busy for a moment, or
   * not scheduled on a loaded machine, must not be treated as one that ignores the signal.
   */
  signalGroup(signal: NodeJS.Signals, options?: { busyMs?: number }): Promise<void>;
}

/** The process that runs the studio's code: the innermost one of the group running src/main.ts. */
function studioPid(pgid: number): number {
  const mains = processGroup(pgid).filter((member) => member.cmdline.includes("src/main.ts"));
  const innermost = mains.find((member) => !mains.some((other) => other.ppid === member.pid));
  if (!innermost) throw new Error(`no studio process in group ${pgid}`);
  return innermost.pid;
}

export async function startStudioGroup(env: Record<string, string>): Promise<StudioGroup> {
  const { child, url, output, exited } = await launchStudio(
    "sh",
    ["-c", "pnpm --filter @studio/server start"],
    { cwd: repoRoot, detached: true },
    env,
  );
  return {
    url,
    child,
    output,
    async signalGroup(signal, { busyMs = 0 } = {}) {
      const studio = studioPid(child.pid!);
      if (busyMs > 0) process.kill(studio, "SIGSTOP");
      process.kill(-child.pid!, signal);
      if (busyMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, busyMs));
        try {
          process.kill(studio, "SIGCONT");
        } catch {
          // killed while held: what the test is there to catch
        }
      }
      await exited;
      child.stdout!.destroy();
      child.stderr!.destroy();
    },
  };
}
