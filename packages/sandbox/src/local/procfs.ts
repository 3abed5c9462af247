// Process inspection through /proc (Linux only, like the local provider). Used to re-attach after
// a studio restart without trusting a stale PID, and to find every process of a sandbox, including
// ones that left sandbox-agent's process group.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import path from "node:path";

export function listPids(): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function readProc(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "latin1");
  } catch {
    return null;
  }
}

export function readCmdline(pid: number): string[] | null {
  const raw = readProc(pid, "cmdline");
  if (raw === null) return null;
  return raw.split("\0").filter((part) => part.length > 0);
}

export function readEnviron(pid: number): Map<string, string> | null {
  const raw = readProc(pid, "environ");
  if (raw === null) return null;
  const env = new Map<string, string>();
  for (const entry of raw.split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

export function readCwd(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

interface ProcStat {
  state: string;
  pgid: number;
  /** Start time in clock ticks since boot: with the PID, it identifies a process across PID reuse. */
  startTime: string;
  /** CPU niceness, -20 to 19. */
  nice: number;
}

export function readStat(pid: number): ProcStat | null {
  const raw = readProc(pid, "stat");
  if (raw === null) return null;
  // The command name (field 2) is in parentheses and may contain spaces: parse after the last ')'.
  const fields = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  const pgid = fields[2];
  const startTime = fields[19];
  if (state === undefined || pgid === undefined || startTime === undefined) return null;
  return { state, pgid: Number(pgid), startTime, nice: Number(fields[16]) };
}

/** Running (not a zombie awaiting its reaper). */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== null && stat.state !== "Z" && stat.state !== "X";
}

/** Live members of a process group. */
export function groupMembers(pgid: number): number[] {
  return listPids().filter((pid) => {
    const stat = readStat(pid);
    return stat !== null && stat.pgid === pgid && stat.state !== "Z" && stat.state !== "X";
  });
}

export const SANDBOX_ID_ENV = "STUDIO_SANDBOX_ID";
/** A digest of the sandboxes' root, so studios with roots of their own never claim each other's. */
export const SANDBOX_ROOT_ENV = "STUDIO_SANDBOX_ROOT";
/** What sandboxes started before the neutral paths carry: their directory, a host path. */
const LEGACY_SANDBOX_DIR_ENV = "STUDIO_SANDBOX_DIR";

export function sandboxRootTag(root: string): string {
  return createHash("sha256").update(root).digest("hex").slice(0, 16);
}

/**
 * The variables that mark a process as the sandbox's at `dir`. Neither names a host path: every
 * process in the sandbox inherits them, and people read its environment.
 */
export function sandboxMarkers(dir: string): Record<string, string> {
  return { [SANDBOX_ID_ENV]: path.basename(dir), [SANDBOX_ROOT_ENV]: sandboxRootTag(path.dirname(dir)) };
}

function within(file: string, dir: string): boolean {
  return file === dir || file.startsWith(`${dir}/`);
}

/**
 * Which sandbox directory under `root` a process belongs to, if any: by the marker variables the
 * provider puts in sandbox-agent's environment (inherited by the agent and its tools), else by a
 * working directory or an argument inside a sandbox directory (an unconfined tool that cleared its
 * env).
 */
export function sandboxDirOf(pid: number, root: string): string | null {
  const environ = readEnviron(pid);
  const id = environ?.get(SANDBOX_ID_ENV);
  if (id && /^[A-Za-z0-9_-]{1,64}$/.test(id) && environ?.get(SANDBOX_ROOT_ENV) === sandboxRootTag(root))
    return `${root}/${id}`;
  const legacy = environ?.get(LEGACY_SANDBOX_DIR_ENV);
  if (legacy && within(legacy, root)) return legacy;
  const owner = (file: string) => {
    if (!within(file, root) || file === root) return null;
    const name = file.slice(root.length + 1).split("/")[0];
    return name ? `${root}/${name}` : null;
  };
  const cwd = readCwd(pid);
  if (cwd) {
    const dir = owner(cwd);
    if (dir) return dir;
  }
  for (const arg of readCmdline(pid) ?? []) {
    const dir = owner(arg);
    if (dir) return dir;
  }
  return null;
}

/** Every live process (other than this one) that belongs to a sandbox under `root`, by dir. */
export function scanSandboxProcesses(root: string): Map<string, number[]> {
  const found = new Map<string, number[]>();
  for (const pid of listPids()) {
    if (pid === process.pid || !isAlive(pid)) continue;
    const dir = sandboxDirOf(pid, root);
    if (!dir) continue;
    const pids = found.get(dir) ?? [];
    pids.push(pid);
    found.set(dir, pids);
  }
  return found;
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {}
}

export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {}
}
