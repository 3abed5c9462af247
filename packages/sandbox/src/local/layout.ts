// On-disk layout of a local sandbox and its state file.
//
//   <root>/<id>/
//     sandbox.json     state (0600): ids, tokens, server PID/PGID/ports, env for restarts
//     agent.log        sandbox-agent stdout+stderr, appended across restarts
//     run/             the sockets of its servers (0700; see sockets.ts)
//     workspace/       the agent's cwd: the project, and nothing of the studio's
//     agent/           the studio's OpenCode config and instructions (read-only to a confined agent)
//     home/            HOME
//     xdg/{config,data,cache,state}/   XDG_*_HOME (launcher under data/sandbox-agent/...)
//     tmp/             TMPDIR (/tmp when confined)
//
// Under bwrap only workspace/, home/, xdg/ and tmp/ are visible to the agent (and agent/, read-only),
// so it cannot edit sandbox.json to make the studio signal some other PID or run some other binary,
// nor touch run/, nor change the studio's config. They appear at the same neutral paths in every
// confined sandbox, E2B's (`SandboxView`): what the agent and a person see inside never tells where
// the sandbox lives on this machine.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { OPENCODE_LAUNCHER_PATH } from "../workspace/launcher.ts";
import type { BwrapMount } from "./confine.ts";
import type { SandboxSockets } from "./sockets.ts";

export interface SandboxPaths {
  dir: string;
  stateFile: string;
  logFile: string;
  workspace: string;
  /** The studio's agent configuration (workspace/agent-dir.ts). */
  agent: string;
  home: string;
  xdgConfig: string;
  xdgData: string;
  xdgCache: string;
  xdgState: string;
  tmp: string;
  launcher: string;
}

export function sandboxPaths(root: string, id: string): SandboxPaths {
  const dir = path.join(root, id);
  const xdg = path.join(dir, "xdg");
  return {
    dir,
    stateFile: path.join(dir, "sandbox.json"),
    logFile: path.join(dir, "agent.log"),
    workspace: path.join(dir, "workspace"),
    agent: path.join(dir, "agent"),
    home: path.join(dir, "home"),
    xdgConfig: path.join(xdg, "config"),
    xdgData: path.join(xdg, "data"),
    xdgCache: path.join(xdg, "cache"),
    xdgState: path.join(xdg, "state"),
    tmp: path.join(dir, "tmp"),
    launcher: path.join(xdg, "data", OPENCODE_LAUNCHER_PATH),
  };
}

/** Directories the agent may write (bound read-write when confined). */
export function writableDirs(paths: SandboxPaths): string[] {
  return [paths.workspace, paths.home, path.dirname(paths.xdgConfig)];
}

/** Where a sandbox's directories are, as seen by what runs in it. */
export interface SandboxView {
  workspace: string;
  home: string;
  agent: string;
  xdgConfig: string;
  xdgData: string;
  xdgCache: string;
  xdgState: string;
  tmp: string;
}

/** A confined sandbox's home inside it: E2B's, so agents find the same layout on both providers. */
export const CONFINED_HOME = "/home/user";
const CONFINED_XDG = `${CONFINED_HOME}/.studio/xdg`;

/** The same in every confined sandbox; an unconfined one sees the host's paths, having no other. */
export function sandboxView(paths: SandboxPaths, confined: boolean): SandboxView {
  if (!confined) return { ...paths };
  return {
    workspace: `${CONFINED_HOME}/workspace`,
    home: CONFINED_HOME,
    agent: `${CONFINED_HOME}/.studio/agent`,
    xdgConfig: `${CONFINED_XDG}/config`,
    xdgData: `${CONFINED_XDG}/data`,
    xdgCache: `${CONFINED_XDG}/cache`,
    xdgState: `${CONFINED_XDG}/state`,
    tmp: "/tmp",
  };
}

/**
 * The sandbox's own directories as bwrap mounts them: read-write, but for the studio's agent
 * configuration. Home first: the workspace and the studio's directories are mounted inside it.
 */
export function sandboxMounts(paths: SandboxPaths, agentDirExists: boolean): BwrapMount[] {
  const view = sandboxView(paths, true);
  return [
    { source: paths.home, target: view.home },
    { source: paths.workspace, target: view.workspace },
    { source: path.dirname(paths.xdgConfig), target: CONFINED_XDG },
    // A sandbox from before the agent directory has none.
    ...(agentDirExists ? [{ source: paths.agent, target: view.agent, readOnly: true }] : []),
  ];
}

export function createSandboxDirs(paths: SandboxPaths): void {
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  for (const dir of [
    paths.workspace,
    paths.agent,
    paths.home,
    paths.xdgConfig,
    paths.xdgData,
    paths.xdgCache,
    paths.xdgState,
    paths.tmp,
  ]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
}

/**
 * What a stopped sandbox need not keep: caches and temporary files, made again by the next start.
 * OpenCode unpacks a 5 MB native library into TMPDIR at every start; npm caches what the agent
 * downloads; and a sandbox from before `skipPluginInstallFiles` holds OpenCode's plugin package
 * (about 60 MB). The workspace, HOME otherwise and OpenCode's data (its sessions) stay.
 */
export function disposableDirs(paths: SandboxPaths): string[] {
  return [
    paths.tmp,
    paths.xdgCache,
    path.join(paths.home, ".npm"),
    path.join(paths.xdgConfig, "opencode", "node_modules"),
  ];
}

/** Empties the disposable directories of a sandbox that is not running. */
export function freeDisposableDirs(paths: SandboxPaths): void {
  // rm removes a symlink the agent may have put in their place, never what it points to.
  for (const dir of disposableDirs(paths)) rmSync(dir, { recursive: true, force: true });
  for (const dir of [paths.tmp, paths.xdgCache]) mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Sandbox ids are directory names: keep them to a safe alphabet. */
export function newSandboxId(): string {
  return `sbx-${randomBytes(8).toString("hex")}`;
}

export function isSandboxId(value: string): boolean {
  return /^sbx-[0-9a-f]{16}$/.test(value);
}

export interface ServerRecord {
  /** PID we spawned: sandbox-agent itself, or bwrap when confined. */
  pid: number;
  /** Its process group (spawned detached, so equal to pid); signalled as a whole on stop. */
  pgid: number;
  /** /proc/<pid>/stat start time, to tell our process from a later one reusing the PID. */
  pidStartTime: string;
  /** Ports on the sandbox's loopback: its own network's, or the host's when it shares it. */
  port: number;
  opencodePort: number;
  /** sandbox-agent's `--token`; null when it is reached only through `sockets`. */
  token: string | null;
  opencodePassword: string;
  /** Where the studio reaches the servers of a sandbox with a network of its own; else null. */
  sockets?: SandboxSockets | null;
  startedAt: string;
  binary: string;
  opencodeBinary: string;
  confinement: "bwrap" | "none";
  /**
   * Whether a confined server sees its directories at `sandboxView`'s neutral paths; absent for one
   * started before them, which sees the host's (kept until it restarts).
   */
  neutralPaths?: true;
}

export interface LocalSandboxState {
  version: 1;
  id: string;
  sessionId: string;
  createdAt: string;
  /** Caller's environment for sandbox-agent, kept so restarts need no input (mode 0600). */
  env: Record<string, string>;
  /** Null while stopped. */
  server: ServerRecord | null;
}

export function readState(paths: SandboxPaths): LocalSandboxState | null {
  let raw: string;
  try {
    raw = readFileSync(paths.stateFile, "utf8");
  } catch {
    return null;
  }
  const state = JSON.parse(raw) as LocalSandboxState;
  return state.version === 1 ? state : null;
}

/** Atomic replace, so a crash mid-write never leaves a truncated state file. */
export function writeState(paths: SandboxPaths, state: LocalSandboxState): void {
  const tmp = `${paths.stateFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, paths.stateFile);
}
