// Ending a sandbox's processes. sandbox-agent and the agents it spawns share its process group
// (verified: opencode runs in sandbox-agent's pgid), so a group signal reaches them all. Claude and
// Codex adapters ignore their stdin closing, so a polite close is not enough: SIGTERM the group,
// wait a grace period, then SIGKILL whatever is left, including strays found by directory scan.
import { groupMembers, isAlive, signalGroup, signalPid } from "./procfs.ts";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface TerminateTarget {
  /** Process group to signal as a whole (sandbox-agent's, or bwrap's when confined). */
  pgid?: number;
  /** Further processes to end individually (strays that left the group). */
  pids?: number[];
}

function remaining(target: TerminateTarget): number[] {
  const alive = new Set<number>(target.pgid ? groupMembers(target.pgid) : []);
  for (const pid of target.pids ?? []) if (isAlive(pid)) alive.add(pid);
  return [...alive];
}

function signalAll(target: TerminateTarget, signal: NodeJS.Signals): void {
  if (target.pgid) signalGroup(target.pgid, signal);
  for (const pid of target.pids ?? []) signalPid(pid, signal);
}

async function waitGone(target: TerminateTarget, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (remaining(target).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

/** Returns the PIDs still alive afterwards (empty unless a process is unkillable, e.g. in D state). */
export async function terminate(target: TerminateTarget, graceMs: number): Promise<number[]> {
  if (remaining(target).length === 0) return [];
  signalAll(target, "SIGTERM");
  if (await waitGone(target, graceMs)) return [];
  signalAll(target, "SIGKILL");
  await waitGone(target, 2_000);
  return remaining(target);
}
