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
