// Starting and recognising a local sandbox's sandbox-agent server.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import {
  AgentServerStartError,
  newSecret,
  OPENCODE_USERNAME,
  opencodeAuthHeaders,
  waitForHealth,
} from "../agent-server.ts";
import type { AgentBinaries } from "../binaries.ts";
import type { SandboxHandle } from "../types.ts";
import { agentLauncherPath, buildAdapterLauncher, buildOpencodeLauncher } from "../workspace/launcher.ts";
import { skipPluginInstallFiles } from "../workspace/plugin-install.ts";
import { type BwrapLayout, bwrapArgs } from "./confine.ts";
import {
  type SandboxPaths,
  type SandboxView,
  type ServerRecord,
  sandboxMounts,
  sandboxView,
  writableDirs,
} from "./layout.ts";
import { AWAIT_NETWORK, type SandboxNetwork, type SocketForward, withNetwork } from "./network.ts";
import { freePort } from "./ports.ts";
import { inLoweredSessionGroup, withNiceness } from "./priority.ts";
import { isAlive, readCmdline, readStat, sandboxMarkers } from "./procfs.ts";
import { safeWriteFile } from "./safe-write.ts";
import { createSocketDir, fetchThroughSocket, removeSocketDir, SOCKET_BASE_URL } from "./sockets.ts";
import { terminate } from "./terminate.ts";

const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface ServerContext {
  paths: SandboxPaths;
  binaries: AgentBinaries;
  /** Null: run unconfined. */
  bwrap: BwrapLayout | null;
  /** A network namespace of its own (needs bwrap); null: the host's network. */
  network: SandboxNetwork | null;
  /** CPU niceness of the sandbox's process tree; 0: the studio's own. */
  niceness: number;
}

/** The ACP agents besides OpenCode that are installed, by sandbox-agent's id for them. */
function acpAgents(binaries: AgentBinaries) {
  return (["claude", "codex"] as const).flatMap((agent) => {
    const found = binaries[agent];
    return found ? [{ agent, ...found }] : [];
  });
}

/**
 * Directories with programs the agent runs: OpenCode's, Node's (npm, node for the project), and
 * Claude Code's and Codex's CLIs (sandbox-agent starts an agent only when its CLI is on PATH).
 */
function programDirs(binaries: AgentBinaries): string[] {
  const agentDirs = acpAgents(binaries).flatMap((agent) => agent.pathDirs);
  return [...new Set([path.dirname(binaries.opencode), path.dirname(process.execPath), ...agentDirs])];
}

/** Where the sandbox's directories are for what it runs. */
export function viewOf(context: ServerContext): SandboxView {
  return sandboxView(context.paths, context.bwrap !== null);
}

/**
 * The caller's value as the sandbox sees it: the agent directory is placed at its host path
 * (provider.ts), and a sandbox's saved environment from before the neutral paths names it so too.
 */
function insideValue(value: string, paths: SandboxPaths, view: SandboxView): string {
  if (value === paths.agent || value.startsWith(`${paths.agent}/`))
    return view.agent + value.slice(paths.agent.length);
  return value;
}

/**
 * The environment of sandbox-agent (inherited by OpenCode and every tool it runs). Built from
 * scratch: the studio's own environment (database URL, provider keys…) must not leak in. The
 * caller's variables come next; HOME, XDG_*, TMPDIR and our markers cannot be overridden.
 */
export function serverEnv(
  context: ServerContext,
  callerEnv: Record<string, string>,
  /** Null for commands other than the server (runCommand): they need no OpenCode secret. */
  opencodePassword: string | null,
): Record<string, string> {
  const { paths } = context;
  const view = viewOf(context);
  const caller = Object.fromEntries(
    Object.entries(callerEnv).map(([key, value]) => [key, insideValue(value, paths, view)]),
  );
  const ours = programDirs(context.binaries).join(":");
  const user = userInfo().username;
  const env: Record<string, string> = {
    USER: user,
    LOGNAME: user,
    SHELL: "/bin/bash",
    LANG: "C.UTF-8",
    TERM: "xterm-256color",
    ...caller,
  };
  env.PATH = `${ours}:${caller.PATH ?? SYSTEM_PATH}`;
  const result: Record<string, string> = {
    ...env,
    HOME: view.home,
    XDG_CONFIG_HOME: view.xdgConfig,
    XDG_DATA_HOME: view.xdgData,
    XDG_CACHE_HOME: view.xdgCache,
    XDG_STATE_HOME: view.xdgState,
    TMPDIR: view.tmp,
    // `bash -l` resets PATH from /etc/profile; the generated ~/.profile restores this one.
    STUDIO_SANDBOX_PATH: env.PATH,
    // Fail fast with agent_not_installed instead of trying to download an agent.
    SANDBOX_AGENT_REQUIRE_PREINSTALL: "1",
    // Otherwise sandbox-agent writes its log under the data dir instead of our agent.log.
    SANDBOX_AGENT_LOG_STDOUT: "1",
    ...sandboxMarkers(paths.dir),
  };
  if (opencodePassword) {
    // OpenCode's HTTP API (question replies) can run commands: basic auth on it, always.
    result.OPENCODE_SERVER_USERNAME = OPENCODE_USERNAME;
    result.OPENCODE_SERVER_PASSWORD = opencodePassword;
  } else {
    delete result.OPENCODE_SERVER_PASSWORD;
  }
  return result;
}

/**
 * argv for a program run in the sandbox: wrapped in bwrap when confined, and in a network namespace
 * of its own when the machine can (`forwards`: the sandbox's servers the studio reaches, by socket).
 * `cwd` is a path inside the sandbox (`viewOf`).
 */
export function sandboxCommand(
  context: ServerContext,
  argv: string[],
  cwd: string,
  forwards: SocketForward[] = [],
): string[] {
  if (!context.bwrap) return withNiceness(context.niceness, argv);
  const network = context.network;
  const readOnly = [
    path.dirname(context.binaries.sandboxAgent),
    ...programDirs(context.binaries),
    ...acpAgents(context.binaries).flatMap((agent) => agent.readDirs),
  ];
  const args = bwrapArgs(context.bwrap, {
    mounts: sandboxMounts(context.paths, existsSync(context.paths.agent)),
    readOnly,
    tmpDir: context.paths.tmp,
    cwd,
    isolateNetwork: network !== null,
  });
  if (!network) return withNiceness(context.niceness, [context.bwrap.bwrap, ...args, "--", ...argv]);
  const confined = [context.bwrap.bwrap, ...args, "--", ...AWAIT_NETWORK, ...argv];
  return withNiceness(context.niceness, withNetwork(network, forwards, context.paths.tmp, confined));
}

const PROFILE = `# Generated by the studio: login shells reset PATH from /etc/profile; restore the sandbox's.
if [ -n "$STUDIO_SANDBOX_PATH" ]; then PATH="$STUDIO_SANDBOX_PATH"; export PATH; fi
`;

function writeSupportFiles(context: ServerContext, opencodePort: number): void {
  const { paths } = context;
  // Both directories are writable by the agent: write without following its symlinks.
  const allowed = writableDirs(paths);
  const launcher = buildOpencodeLauncher({ port: opencodePort, opencodeBinary: context.binaries.opencode });
  safeWriteFile(paths.launcher, launcher, 0o755, allowed);
  // The other agents' adapters, from the studio's pinned install (sandbox-agent would otherwise
  // look for them on PATH or download them). Written at every start: the install may have moved.
  for (const agent of acpAgents(context.binaries)) {
    const file = path.join(paths.xdgData, agentLauncherPath(agent.agent));
    safeWriteFile(file, buildAdapterLauncher(agent.adapter, agent.adapterEnv), 0o755, allowed);
  }
  for (const file of skipPluginInstallFiles(path.join(paths.xdgConfig, "opencode"))) {
    safeWriteFile(file.path, file.content, 0o644, allowed);
  }
  const profile = path.join(paths.home, ".profile");
  // Keep a profile the sandbox already has (resumed workspace).
  if (!existsSync(profile)) safeWriteFile(profile, PROFILE, 0o644, allowed);
}

function logTail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-15).join("\n");
  } catch {
    return "";
  }
}

export interface StartOptions {
  healthTimeoutMs: number;
  signal?: AbortSignal;
}

async function startOnce(
  context: ServerContext,
  callerEnv: Record<string, string>,
  options: StartOptions,
): Promise<ServerRecord> {
  const port = await freePort();
  const opencodePort = await freePort(new Set([port]));
  const opencodePassword = newSecret();
  writeSupportFiles(context, opencodePort);
  // sandbox-agent takes its token on the command line only, where every user of the machine reads
  // it (`ps`). With a network of its own the sandbox's servers are reachable only through the
  // studio's private sockets, so it needs none; sharing the host's network, it must have one.
  const sockets = context.network ? createSocketDir(context.paths) : null;
  const token = sockets ? null : newSecret();
  const forwards = sockets
    ? [
        { socket: sockets.agent, port },
        { socket: sockets.opencode, port: opencodePort },
      ]
    : [];

  const argv = [
    context.binaries.sandboxAgent,
    "server",
    ...(token ? ["--token", token] : ["--no-token"]),
    "--no-telemetry",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
  ];
  // Its session's scheduling group is lowered by its own first process, before anything of it runs.
  const [command, ...args] = inLoweredSessionGroup(
    context.niceness,
    sandboxCommand(context, argv, viewOf(context).workspace, forwards),
  );
  const log = openSync(context.paths.logFile, "a", 0o600);
  let exited: string | null = null;
  let child: ReturnType<typeof spawn>;
  try {
    // detached: own session and process group, so the whole tree can be signalled and it survives
    // the studio (re-attached by connect).
    child = spawn(command!, args, {
      cwd: context.paths.workspace,
      env: serverEnv(context, callerEnv, opencodePassword),
      detached: true,
      stdio: ["ignore", log, log],
    });
  } finally {
    closeSync(log);
  }
  child.on("error", (error) => {
    exited = error.message;
  });
  child.on("exit", (code, signal) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
  });
  const pid = child.pid;
  if (!pid) throw new AgentServerStartError(`could not spawn ${command}: ${exited ?? "no pid"}`);
  const agent = agentEndpoint({ port, token, sockets });
  try {
    await waitForHealth({
      agentUrl: agent.url,
      token,
      ...(agent.fetch ? { fetch: agent.fetch } : {}),
      timeoutMs: options.healthTimeoutMs,
      failure: () => exited,
      signal: options.signal,
    });
  } catch (error) {
    await terminate({ pgid: pid }, 1_000);
    if (sockets) removeSocketDir(sockets);
    const detail = logTail(context.paths.logFile);
    throw new AgentServerStartError(`${(error as Error).message}\n${detail}`, { cause: error });
  }
  child.unref();
  return {
    pid,
    pgid: pid,
    pidStartTime: readStat(pid)?.startTime ?? "",
    port,
    opencodePort,
    token,
    opencodePassword,
    sockets,
    startedAt: new Date().toISOString(),
    binary: context.binaries.sandboxAgent,
    opencodeBinary: context.binaries.opencode,
    confinement: context.bwrap ? "bwrap" : "none",
    ...(context.bwrap ? { neutralPaths: true as const } : {}),
  };
}

/** Starts sandbox-agent and waits for its health endpoint; retries a lost race for a free port. */
export async function startServer(
  context: ServerContext,
  callerEnv: Record<string, string>,
  options: StartOptions,
): Promise<ServerRecord> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(context, callerEnv, options);
    } catch (error) {
      const portRace = /address (already )?in use/i.test((error as Error).message);
      if (!portRace || attempt >= 3) throw error;
    }
  }
}

/** True when `record.pid` is still the process we started (not a reused PID), and alive. */
export function isOurServer(record: ServerRecord): boolean {
  if (!isAlive(record.pid)) return false;
  const stat = readStat(record.pid);
  if (!stat || (record.pidStartTime && stat.startTime !== record.pidStartTime)) return false;
  const argv = readCmdline(record.pid) ?? [];
  return argv.includes(record.binary) && argv.includes("server") && argv.includes(String(record.port));
}

export interface ServerEndpoint {
  url: string;
  /** How to reach `url`: through the sandbox's socket, when it has one; else the global fetch. */
  fetch?: typeof fetch;
}

/** Where the studio reaches a sandbox's sandbox-agent. */
export function agentEndpoint(
  server: Pick<ServerRecord, "port" | "token" | "sockets">,
): ServerEndpoint & { token: string | null } {
  if (server.sockets)
    return { url: SOCKET_BASE_URL, token: null, fetch: fetchThroughSocket(server.sockets.agent) };
  return { url: `http://127.0.0.1:${server.port}`, token: server.token };
}

/** Where the studio reaches a sandbox's OpenCode HTTP API. */
export function opencodeEndpoint(server: Pick<ServerRecord, "opencodePort" | "sockets">): ServerEndpoint {
  if (server.sockets) return { url: SOCKET_BASE_URL, fetch: fetchThroughSocket(server.sockets.opencode) };
  return { url: `http://127.0.0.1:${server.opencodePort}` };
}

/** How the studio reaches a running sandbox's servers: the part of its handle they make. */
export function serverAccess(
  paths: SandboxPaths,
  server: ServerRecord,
): Omit<SandboxHandle, "id" | "provider" | "sessionId"> {
  const agent = agentEndpoint(server);
  const opencode = opencodeEndpoint(server);
  return {
    workspaceDir: sandboxView(paths, server.neutralPaths === true).workspace,
    agentUrl: agent.url,
    agentToken: agent.token,
    ...(agent.fetch ? { agentFetch: agent.fetch } : {}),
    ...(server.sockets ? { agentSocketPath: server.sockets.agent } : {}),
    opencodeUrl: opencode.url,
    ...(opencode.fetch ? { opencodeFetch: opencode.fetch } : {}),
    opencodeHeaders: opencodeAuthHeaders(server.opencodePassword),
  };
}
