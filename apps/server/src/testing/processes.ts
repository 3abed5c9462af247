// Test support: the processes a sandbox left running, found through /proc.
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessInfo {
  pid: number;
  cmdline: string;
  /** NUL-separated KEY=value pairs, as the kernel keeps them. */
  environ: string;
}

/** Processes whose command line or environment lies inside a directory (a sandbox's). */
export function processesUnder(dir: string): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
      if (cmdline.includes(dir) || environ.includes(dir)) found.push({ pid, cmdline, environ });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Test cleanup: SIGKILLs whatever still runs inside a directory, so a failed test leaves nothing. */
export function killProcessesUnder(dir: string): void {
  for (const { pid } of processesUnder(dir)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

export interface GroupMember {
  pid: number;
  ppid: number;
  cmdline: string;
}

/** The live processes of a process group (zombies, which have no command line, left out). */
export function processGroup(pgid: number): GroupMember[] {
  const members: GroupMember[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the command name, which is in parentheses and may hold spaces: state ppid pgrp.
      const [, ppid, group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
      if (Number(group) === pgid && cmdline) members.push({ pid, ppid: Number(ppid), cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return members;
}
