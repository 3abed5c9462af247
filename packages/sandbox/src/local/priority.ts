// A local sandbox's process tree runs below the studio's CPU priority, so an agent busy on both
// cores (OpenCode, the tools it runs) cannot delay the studio relaying its events.
import { existsSync, readFileSync } from "node:fs";

const NICE_PATHS = ["/usr/bin/nice", "/bin/nice"];

/**
 * argv run through `nice`, which execs the command under the lower priority: set before the command
 * starts, so every process of the tree inherits it (a priority set after spawning could miss the
 * children it had already forked). Same PID, so tracking by PID is unchanged.
 */
export function withNiceness(niceness: number, argv: string[]): string[] {
  const nice = niceness > 0 ? NICE_PATHS.find((candidate) => existsSync(candidate)) : undefined;
  return nice ? [nice, "-n", String(niceness), ...argv] : argv;
}

/**
 * The command's argv behind a shell that lowers its session's scheduling group first, then execs it
 * (same PID): the group's niceness is set before the command runs. With the kernel's autogroup
 * scheduling (on by default in most distributions) each session (a command spawned detached) is
 * scheduled as one group, with an equal share against the others: a niceness inside the group only
 * ranks its own processes, so without this the sandbox's tree would still take a core from the
 * studio whenever it wants one. Set from the studio after spawning instead, a short command could run
 * (and finish) at full priority, as it did on a loaded machine. Lowering needs no privilege; a
 * kernel without autogroup has no such file, the write then fails silently and `withNiceness` is
 * what counts.
 */
export function inLoweredSessionGroup(niceness: number, argv: string[]): string[] {
  // A whole number: it is written into the shell's script.
  const level = Math.trunc(niceness);
  if (!(level > 0)) return argv;
  return ["/bin/sh", "-c", `{ echo ${level} > /proc/self/autogroup; } 2>/dev/null; exec "$@"`, "sh", ...argv];
}

/** The niceness of a process's scheduling group, or null where the kernel has no autogroup. */
export function sessionGroupNiceness(pid: number): number | null {
  try {
    const match = /nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}
