// A local sandbox's process tree runs below the studio's CPU priority, so an agent busy on both
// cores (OpenCode, the tools it runs) cannot delay the studio relaying its events.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

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
 * Lowers the scheduling group of a process that started a session of its own (spawned detached).
 * With the kernel's autogroup scheduling (on by default in most distributions) each session is
 * scheduled as one group, with an equal share against the others: a niceness inside the group only
 * ranks its own processes against each other, so without this the sandbox's tree would still take
 * a core from the studio whenever it wants one. Every process of the session shares the group, so
 * children forked before or after this call are covered. Lowering needs no privilege; a kernel
 * without autogroup has no such file, and the niceness set by `withNiceness` is then what counts.
 */
export function lowerSessionGroupPriority(pid: number, niceness: number): void {
  if (niceness <= 0) return;
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(niceness));
  } catch {
    // No autogroup, or the process is already gone: nothing to lower.
  }
}

/**
 * The command's argv behind a shell that lowers its session's scheduling group first, then execs it:
 * the group's niceness is set before the command runs. Set from the studio after spawning, a short
 * command could run (and finish) at full priority, as it did on a loaded machine. A kernel without
 * autogroup has no such file; the write then fails silently and `withNiceness` is what counts.
 */
export function inLoweredSessionGroup(niceness: number, argv: string[]): string[] {
  if (niceness <= 0) return argv;
  return [
    "/bin/sh",
    "-c",
    `{ echo ${niceness} > /proc/self/autogroup; } 2>/dev/null; exec "$@"`,
    "sh",
    ...argv,
  ];
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
