// Test support: the processes a sandbox left running, found through /proc.
import { readdirSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { SANDBOX_ROOT_ENV, sandboxMarkers, sandboxRootTag } from "@studio/sandbox";

export interface ProcessInfo {
  pid: number;
  cmdline: string;
  /** NUL-separated KEY=value pairs, as the kernel keeps them. */
  environ: string;
}

/** Each process `describe` keeps (it returns undefined to skip one), read through /proc. */
function eachProcess<T>(describe: (pid: number) => T | undefined): T[] {
  const found: T[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const described = describe(pid);
      if (described !== undefined) found.push(described);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/**
 * The environment entries that put a process inside `dir`: a sandbox's own directory (its markers),
 * or a root or data directory holding sandboxes (the digest of the root). The markers name no path
 * (what runs in a sandbox must not learn where it lives), so each candidate is worked out here.
 */
function markersWithin(dir: string): string[][] {
  const real = (file: string) => {
    try {
      return realpathSync(file);
    } catch {
      return file;
    }
  };
  const resolved = real(dir);
  const entries = (markers: Record<string, string>) => Object.entries(markers).map(([k, v]) => `${k}=${v}`);
  return [
    entries(sandboxMarkers(resolved)),
    entries({ [SANDBOX_ROOT_ENV]: sandboxRootTag(resolved) }),
    entries({ [SANDBOX_ROOT_ENV]: sandboxRootTag(real(path.join(resolved, "sandboxes"))) }),
  ];
}

/** Processes whose command line or environment lies inside a directory (a sandbox's). */
export function processesUnder(dir: string): ProcessInfo[] {
  const markers = markersWithin(dir);
  return eachProcess((pid) => {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
    const entries = environ.split("\0");
    const marked = markers.some((wanted) => wanted.every((entry) => entries.includes(entry)));
    return marked || cmdline.includes(dir) || environ.includes(dir) ? { pid, cmdline, environ } : undefined;
  });
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
  return eachProcess((pid) => {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces: state ppid pgrp.
    const [, ppid, group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
    return Number(group) === pgid && cmdline ? { pid, ppid: Number(ppid), cmdline } : undefined;
  });
}
