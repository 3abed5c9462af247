// The `local` provider: each sandbox is a directory on this machine and sandbox-agent runs as a
// local process with the studio user's rights (optionally confined by bwrap). For one user or a
// trusted team; E2B is the multi-tenant choice.
import { existsSync, mkdirSync, readdirSync, realpathSync, rmSync } from "node:fs";
import path from "node:path";
import type { Logger } from "@studio/models";
import { checkHealth } from "../agent-server.ts";
import { type AgentBinaries, resolveAgentBinaries } from "../binaries.ts";
import {
  SandboxNotFoundError,
  SandboxNotRunningError,
  SandboxProviderShutDownError,
  step,
} from "../errors.ts";
import { resolveFiles, resolveSandboxPath } from "../files.ts";
import type {
  CommandResult,
  CreateSandboxOptions,
  LiveCheck,
  ReapedSandbox,
  SandboxHandle,
  SandboxInfo,
  SandboxProvider,
  WorkspaceFile,
} from "../types.ts";
import { placeAgentDir } from "../workspace/agent-dir.ts";
import type { BwrapLayout, ConfinementMode } from "./confine.ts";
import { probeIsolation } from "./isolation.ts";
import {
  createSandboxDirs,
  freeDisposableDirs,
  isSandboxId,
  type LocalSandboxState,
  newSandboxId,
  readState,
  type SandboxPaths,
  type ServerRecord,
  sandboxPaths,
  writableDirs,
  writeState,
} from "./layout.ts";
import type { NetworkLayout } from "./network.ts";
import { scanSandboxProcesses } from "./procfs.ts";
import { runProcess } from "./run-command.ts";
import { safeWriteFile } from "./safe-write.ts";
import {
  agentEndpoint,
  isOurServer,
  type ServerContext,
  sandboxCommand,
  serverAccess,
  serverEnv,
  startServer,
  viewOf,
} from "./server.ts";
import { stopSandbox } from "./stop.ts";

export interface LocalSandboxProviderOptions {
  /** Holds one directory per sandbox, e.g. `<dataDir>/sandboxes`. Created if missing. */
  rootDir: string;
  /** `auto` (default): bwrap when it works here, else unconfined. `bwrap`: required. `none`: off. */
  confinement?: ConfinementMode;
  /** How long sandbox-agent may take to answer /v1/health after spawn. Default 30 s. */
  healthTimeoutMs?: number;
  /** SIGTERM to SIGKILL grace when stopping. Default 3 s. */
  stopGraceMs?: number;
  /**
   * CPU niceness for each sandbox's whole process tree (sandbox-agent, OpenCode, every command the
   * agent runs). Default 10: an agent churning through a build never makes the studio, which relays
   * every session's events, wait for a core. 0 runs them at the studio's own priority.
   */
  niceness?: number;
  binaries?: AgentBinaries;
  logger?: Logger;
  /**
   * `auto` (default): each confined sandbox gets a network namespace of its own when pasta works
   * here, else shares the host's network (with a warning). `own`: required. `host`: off.
   */
  network?: "auto" | "own" | "host";
  /**
   * The studio's ports on the host's loopback that sandboxes reach (its model gateway, from
   * GATEWAY_PUBLIC_URL), read at each start (the studio may listen on a port chosen at start).
   * With a network of their own, nothing else on the host's loopback is reachable from a sandbox.
   */
  studioPorts?: () => number[];
}

const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;

export class LocalSandboxProvider implements SandboxProvider {
  readonly kind = "local" as const;
  readonly rootDir: string;
  /** What is in force, and why bwrap is not (when it is not). */
  readonly confinement: { mode: "bwrap" | "none"; reason: string | null };
  /** Whether sandboxes have a network namespace of their own, and why not (when not). */
  readonly network: { mode: "own" | "host"; reason: string | null };
  readonly #bwrap: BwrapLayout | null;
  readonly #network: NetworkLayout | null;
  readonly #studioPorts: () => number[];
  readonly #binaries: AgentBinaries;
  readonly #healthTimeoutMs: number;
  readonly #stopGraceMs: number;
  readonly #niceness: number;
  /** Sandboxes this instance started or re-attached to: what `shutdown` ends. */
  readonly #tracked = new Set<string>();
  /**
   * Set by `shutdown`: from then on no agent server starts, and one that was starting is ended as
   * soon as it is up (a runner restarting its agent as the studio stops would otherwise leave it
   * running with nobody to end it).
   */
  #shutDown = false;
  /** Creations and restarts under way: `shutdown` waits for them to end what they started. */
  readonly #starting = new Set<Promise<unknown>>();

  constructor(options: LocalSandboxProviderOptions) {
    mkdirSync(options.rootDir, { recursive: true, mode: 0o700 });
    // Real path: /proc reports cwd and arguments resolved, and we match them against the root.
    this.rootDir = realpathSync(options.rootDir);
    this.#binaries = options.binaries ?? resolveAgentBinaries();
    this.#healthTimeoutMs = options.healthTimeoutMs ?? 30_000;
    this.#stopGraceMs = options.stopGraceMs ?? 3_000;
    this.#niceness = options.niceness ?? 10;
    const isolation = probeIsolation(options.confinement, options.network, options.logger);
    this.#bwrap = isolation.bwrap;
    this.confinement = isolation.confinement;
    this.#network = isolation.network;
    this.network = isolation.networkMode;
    this.#studioPorts = options.studioPorts ?? (() => []);
  }

  create(options: CreateSandboxOptions): Promise<SandboxHandle> {
    return this.#underWay(() => this.#create(options));
  }

  async #create(options: CreateSandboxOptions): Promise<SandboxHandle> {
    const id = newSandboxId();
    const paths = sandboxPaths(this.rootDir, id);
    // The studio's config goes in the sandbox's agent directory, outside the workspace.
    const placed = placeAgentDir(options, paths.agent);
    const state: LocalSandboxState = {
      version: 1,
      id,
      sessionId: options.sessionId,
      createdAt: new Date().toISOString(),
      env: placed.env,
      server: null,
    };
    this.#tracked.add(id);
    try {
      options.signal?.throwIfAborted();
      await step(options.onStep, "sandbox", "Creating sandbox directory", () => {
        createSandboxDirs(paths);
        writeState(paths, state);
      });
      await step(options.onStep, "files", "Writing workspace files", () => this.#write(paths, placed.files));
      options.signal?.throwIfAborted();
      state.server = await step(options.onStep, "agent-server", "Starting sandbox-agent", () =>
        this.#startServer(paths, state, options.signal),
      );
      writeState(paths, state);
      return this.#handle(paths, state);
    } catch (error) {
      await this.destroy(id);
      throw error;
    }
  }

  async connect(sandboxId: string): Promise<SandboxHandle> {
    if (this.#shutDown) throw new SandboxProviderShutDownError();
    const { paths, state } = this.#require(sandboxId);
    if (!state.server || !isOurServer(state.server)) throw new SandboxNotRunningError(sandboxId);
    this.#tracked.add(sandboxId);
    return this.#handle(paths, state);
  }

  async runCommand(
    sandboxId: string,
    command: string,
    options: { cwd?: string; timeoutMs?: number } = {},
  ): Promise<CommandResult> {
    const { paths, state } = this.#require(sandboxId);
    const context = this.#context(paths);
    // The directory inside the sandbox; bwrap enters it, from wherever it is started.
    const view = viewOf(context);
    const cwd = resolveSandboxPath(options.cwd ?? ".", {
      workspace: view.workspace,
      home: view.home,
      allowed: context.bwrap ? [view.home, view.tmp] : this.#pathContext(paths).allowed,
    });
    return runProcess({
      argv: sandboxCommand(context, ["/bin/bash", "-lc", command], cwd),
      cwd: context.bwrap ? paths.workspace : cwd,
      env: serverEnv(context, state.env, null),
      timeoutMs: options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      niceness: context.niceness,
    });
  }

  async writeFiles(sandboxId: string, files: WorkspaceFile[]): Promise<void> {
    const { paths } = this.#require(sandboxId);
    this.#write(paths, placeAgentDir({ files, env: {} }, paths.agent).files);
  }

  /**
   * Where a sandbox's workspace is on this machine, for tools beside the studio that fill it
   * directly (benchmarks); the agent sees it at `handle.workspaceDir`.
   */
  hostWorkspaceDir(sandboxId: string): string {
    return this.#require(sandboxId).paths.workspace;
  }

  async health(sandboxId: string): Promise<boolean> {
    const paths = sandboxPaths(this.rootDir, sandboxId);
    const server = isSandboxId(sandboxId) ? readState(paths)?.server : null;
    if (!server) return false;
    const agent = agentEndpoint(server);
    return checkHealth(agent.url, agent.token, agent.fetch ? { fetch: agent.fetch } : {});
  }

  restartAgentServer(sandboxId: string): Promise<SandboxHandle> {
    return this.#underWay(async () => {
      const { paths, state } = this.#require(sandboxId);
      return this.#restart(paths, state);
    });
  }

  async destroy(sandboxId: string, options: { keepWorkspace?: boolean } = {}): Promise<void> {
    if (!isSandboxId(sandboxId)) return;
    const paths = sandboxPaths(this.rootDir, sandboxId);
    await this.#stop(paths, readState(paths));
    this.#tracked.delete(sandboxId);
    if (!options.keepWorkspace) rmSync(paths.dir, { recursive: true, force: true });
    else if (existsSync(paths.dir)) freeDisposableDirs(paths);
  }

  /** Local sandboxes have no TTL. */
  async keepAlive(): Promise<void> {}

  async pause(): Promise<boolean> {
    return false; // a local process cannot be frozen and brought back across a studio restart
  }

  resume(
    sandboxId: string,
    options: Omit<CreateSandboxOptions, "files"> & { files?: WorkspaceFile[] },
  ): Promise<SandboxHandle> {
    return this.#underWay(() => this.#resume(sandboxId, options));
  }

  async #resume(
    sandboxId: string,
    options: Omit<CreateSandboxOptions, "files"> & { files?: WorkspaceFile[] },
  ): Promise<SandboxHandle> {
    const { paths, state } = this.#require(sandboxId);
    const placed = placeAgentDir(options, paths.agent);
    state.sessionId = options.sessionId;
    // The new env usually carries a new gateway token: it replaces the old one for restarts too.
    state.env = placed.env;
    writeState(paths, state);
    if (placed.files.length) {
      await step(options.onStep, "files", "Writing workspace files", () => this.#write(paths, placed.files));
    }
    return step(options.onStep, "agent-server", "Starting sandbox-agent", () =>
      this.#restart(paths, state, options.signal),
    );
  }

  async list(): Promise<SandboxInfo[]> {
    const result: SandboxInfo[] = [];
    for (const name of readdirSync(this.rootDir)) {
      if (!isSandboxId(name)) continue;
      const state = readState(sandboxPaths(this.rootDir, name));
      if (!state) continue;
      const running = state.server !== null && isOurServer(state.server);
      result.push({ id: state.id, sessionId: state.sessionId, state: running ? "running" : "stopped" });
    }
    return result;
  }

  async shutdown(): Promise<void> {
    this.#shutDown = true;
    const ids = [...this.#tracked];
    this.#tracked.clear();
    await Promise.all([
      ...ids.map((id) => {
        const paths = sandboxPaths(this.rootDir, id);
        return this.#stop(paths, readState(paths));
      }),
      // Each ends what it started once it sees the shutdown; only their settling matters here.
      ...[...this.#starting].map((operation) => operation.catch(() => {})),
    ]);
  }

  /**
   * Ends processes of sandboxes under this root that a previous studio run left behind: those
   * whose session `isLive` says is over, and those whose directory is gone. Sandboxes this
   * instance started or connected to are never touched. Call once at boot, after reconciling.
   */
  async reapOrphans(isLive: LiveCheck): Promise<ReapedSandbox[]> {
    const reaped: ReapedSandbox[] = [];
    for (const [dir, pids] of scanSandboxProcesses(this.rootDir)) {
      const id = path.basename(dir);
      if (this.#tracked.has(id)) continue;
      const paths = sandboxPaths(this.rootDir, id);
      const state = isSandboxId(id) ? readState(paths) : null;
      if (state && (await isLive({ id, sessionId: state.sessionId }))) continue;
      await this.#stop(paths, state, pids);
      reaped.push({ id, sessionId: state?.sessionId ?? null, pids });
    }
    return reaped;
  }

  #require(sandboxId: string): { paths: SandboxPaths; state: LocalSandboxState } {
    if (!isSandboxId(sandboxId)) throw new SandboxNotFoundError(sandboxId);
    const paths = sandboxPaths(this.rootDir, sandboxId);
    const state = readState(paths);
    if (!state) throw new SandboxNotFoundError(sandboxId);
    return { paths, state };
  }

  #context(paths: SandboxPaths): ServerContext {
    return {
      paths,
      binaries: this.#binaries,
      bwrap: this.#bwrap,
      network: this.#network ? { layout: this.#network, studioPorts: this.#studioPorts() } : null,
      niceness: this.#niceness,
    };
  }

  #pathContext(paths: SandboxPaths) {
    return { workspace: paths.workspace, home: paths.home, allowed: [...writableDirs(paths), paths.tmp] };
  }

  #write(paths: SandboxPaths, files: WorkspaceFile[]): void {
    // The agent directory too (only the studio writes it); a sandbox from before it has none yet.
    mkdirSync(paths.agent, { recursive: true, mode: 0o700 });
    const context = this.#pathContext(paths);
    context.allowed.push(paths.agent);
    for (const file of resolveFiles(files, context)) {
      safeWriteFile(file.target, file.content, file.mode ?? 0o644, context.allowed);
    }
  }

  async #restart(
    paths: SandboxPaths,
    state: LocalSandboxState,
    signal?: AbortSignal,
  ): Promise<SandboxHandle> {
    await this.#stop(paths, state);
    state.server = await this.#startServer(paths, state, signal);
    writeState(paths, state);
    this.#tracked.add(state.id);
    return this.#handle(paths, state);
  }

  /** Starts the sandbox's sandbox-agent, unless the provider has shut down (then, once up, ends it). */
  async #startServer(
    paths: SandboxPaths,
    state: LocalSandboxState,
    signal?: AbortSignal,
  ): Promise<ServerRecord> {
    if (this.#shutDown) throw new SandboxProviderShutDownError();
    const server = await startServer(this.#context(paths), state.env, {
      healthTimeoutMs: this.#healthTimeoutMs,
      signal,
    });
    if (this.#shutDown) {
      await this.#stop(paths, { ...state, server });
      throw new SandboxProviderShutDownError();
    }
    return server;
  }

  /** Runs a creation or restart, known to `shutdown` until it has settled. */
  #underWay<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#shutDown) return Promise.reject(new SandboxProviderShutDownError());
    const running = operation();
    this.#starting.add(running);
    const forget = () => this.#starting.delete(running);
    running.then(forget, forget);
    return running;
  }

  #stop(paths: SandboxPaths, state: LocalSandboxState | null, known: number[] = []): Promise<void> {
    return stopSandbox(this.rootDir, paths, state, this.#stopGraceMs, known);
  }

  #handle(paths: SandboxPaths, state: LocalSandboxState): SandboxHandle {
    const server = state.server;
    if (!server) throw new SandboxNotRunningError(state.id);
    return { id: state.id, provider: "local", sessionId: state.sessionId, ...serverAccess(paths, server) };
  }
}
