// The `e2b` provider: one E2B microVM per sandbox, sandbox-agent started in it with a token (every
// E2B port is public), reached at https://<port>-<id>.<domain>. The sandbox itself holds what a
// studio replica needs to re-attach (agent.json, see agent.ts), so any replica can `connect`.
//
// E2B pauses a sandbox on its own (TTL, a plan's cap), so a cached connection may point at a
// paused VM: whatever fails in a way that may mean that drops the cache entry and asks `getInfo`.
// Only `resume` and `restartAgentServer` ever resume a paused sandbox; looking never does.
import type { SandboxOpts } from "@e2b/code-interpreter";
import { checkHealth, type FetchLike } from "../agent-server.ts";
import { SandboxNotFoundError, SandboxNotRunningError, step } from "../errors.ts";
import { resolveSandboxPath } from "../files.ts";
import type {
  CommandResult,
  CreateSandboxOptions,
  SandboxHandle,
  SandboxInfo,
  SandboxProvider,
  WorkspaceFile,
} from "../types.ts";
import { placeAgentDir } from "../workspace/agent-dir.ts";
import {
  type AgentRecord,
  COMMAND_TIMEOUT_MS,
  envFileEntry,
  handleFor,
  probeGateway,
  readRecord,
  runIn,
  startAgent,
  writeIn,
} from "./agent.ts";
import { E2B_AGENT_DIR, E2B_HOME, E2B_WORKSPACE, installCommand, userCommand } from "./commands.ts";
import {
  type E2BSandboxLike,
  type E2BSdk,
  isSandboxMissing,
  isTimeoutError,
  mayBeGone,
  realE2BSdk,
} from "./sdk.ts";

/** The metadata key that tags a sandbox with the studio installation that made it. */
export const E2B_INSTALLATION_KEY = "studioInstallation";

export interface E2BSandboxProviderOptions {
  sdk?: E2BSdk;
  /** Else the SDK reads E2B_API_KEY. */
  apiKey?: string;
  /**
   * This studio's id (`installationId` in @studio/core). Every sandbox carries it, and `list` (so
   * the boot reaper) sees only those: studios sharing an E2B team never touch each other's.
   */
  installationId: string;
  /** Template with sandbox-agent and the agents baked in (template.ts). Unset: install at run time. */
  template?: string;
  /** Template used (with the run-time install) when `template` is unset. Default `base`. */
  baseTemplate?: string;
  /** Sandbox TTL. Must exceed the studio's idle timeout (15 min): the studio stops sessions first.
   * Default 60 min (the Hobby maximum; Pro allows 24 h). */
  sandboxTimeoutMs?: number;
  /** Pause instead of kill when the TTL expires, and let destroy({keepWorkspace}) pause. Default true. */
  pauseOnTimeout?: boolean;
  agentPort?: number;
  opencodePort?: number;
  healthTimeoutMs?: number;
  /** Extra metadata on every sandbox. */
  metadata?: Record<string, string>;
  /** The model gateway's URL as sandboxes reach it: provisioning checks a sandbox reaches the studio. */
  gatewayUrl?: () => string;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
}

const INSTALL_TIMEOUT_MS = 10 * 60_000;

export class E2BSandboxProvider implements SandboxProvider {
  readonly kind = "e2b" as const;
  readonly #sdk: E2BSdk;
  readonly #options: E2BSandboxProviderOptions;
  readonly #timeoutMs: number;
  readonly #pause: boolean;
  readonly #metadata: Record<string, string>;
  readonly #sandboxes = new Map<string, E2BSandboxLike>();

  constructor(options: E2BSandboxProviderOptions) {
    if (!options.installationId) throw new Error("E2BSandboxProvider needs the studio's installationId");
    this.#sdk = options.sdk ?? realE2BSdk;
    this.#options = options;
    this.#timeoutMs = options.sandboxTimeoutMs ?? 60 * 60_000;
    this.#pause = options.pauseOnTimeout ?? true;
    this.#metadata = {
      studio: "studio",
      ...options.metadata,
      [E2B_INSTALLATION_KEY]: options.installationId,
    };
  }

  async create(options: CreateSandboxOptions): Promise<SandboxHandle> {
    // The studio's config goes in the sandbox's agent directory, outside the workspace.
    const placed = placeAgentDir(options, E2B_AGENT_DIR);
    const createOptions: SandboxOpts = {
      ...this.#auth(),
      metadata: { ...this.#metadata, studioSessionId: options.sessionId },
      envs: placed.env,
      timeoutMs: this.#timeoutMs,
      // autoResume off: a paused sandbox comes back only through resume (connect), never by a stray
      // request to its public URL.
      lifecycle: this.#pause ? { onTimeout: "pause", autoResume: false } : { onTimeout: "kill" },
      // OpenCode must reach the studio's model gateway (or the provider in environment mode).
      allowInternetAccess: true,
    };
    const sandbox = await step(options.onStep, "sandbox", "Creating E2B sandbox", () =>
      this.#sdk.create(this.#options.template ?? this.#options.baseTemplate ?? "base", createOptions),
    );
    this.#sandboxes.set(sandbox.sandboxId, sandbox);
    try {
      options.signal?.throwIfAborted();
      if (!this.#options.template) {
        await step(options.onStep, "install", "Installing sandbox-agent and OpenCode", () =>
          runIn(sandbox, installCommand(), { user: "root", timeoutMs: INSTALL_TIMEOUT_MS }).then((result) => {
            if (result.exitCode !== 0) throw new Error(`installing failed: ${result.stderr.slice(-1000)}`);
          }),
        );
      }
      await this.#checkGateway(sandbox, options.onStep);
      await step(options.onStep, "files", "Writing workspace files", () =>
        writeIn(sandbox, [...placed.files, envFileEntry(placed.env)]),
      );
      options.signal?.throwIfAborted();
      return await step(options.onStep, "agent-server", "Starting sandbox-agent", () =>
        this.#start(sandbox, options.sessionId, { fresh: true, signal: options.signal }),
      );
    } catch (error) {
      this.#sandboxes.delete(sandbox.sandboxId);
      await this.#sdk.kill(sandbox.sandboxId, this.#auth()).catch(() => false);
      throw error;
    }
  }

  /** Attaches to a running sandbox's server; a paused sandbox stays paused (SandboxNotRunningError). */
  async connect(sandboxId: string): Promise<SandboxHandle> {
    const sandbox = await this.#running(sandboxId);
    const record = await this.#record(sandboxId, sandbox);
    if (!record) throw new SandboxNotRunningError(sandboxId);
    return handleFor(this.#sandboxes.get(sandboxId) ?? sandbox, record);
  }

  async runCommand(
    sandboxId: string,
    command: string,
    options: { cwd?: string; timeoutMs?: number } = {},
  ): Promise<CommandResult> {
    const cwd = resolveSandboxPath(options.cwd ?? ".", { workspace: E2B_WORKSPACE, home: E2B_HOME });
    const timeoutMs = options.timeoutMs ?? COMMAND_TIMEOUT_MS;
    try {
      return await runIn(await this.#running(sandboxId), userCommand(command), { cwd, timeoutMs });
    } catch (error) {
      if (!(await mayBeGone(error))) throw error;
      // A TimeoutError is the command's own limit only while the sandbox still runs.
      await this.#stillRunning(sandboxId, error);
      if (await isTimeoutError(error))
        return { exitCode: 124, stdout: "", stderr: `command timed out after ${timeoutMs} ms` };
      throw error;
    }
  }

  async writeFiles(sandboxId: string, files: WorkspaceFile[]): Promise<void> {
    try {
      await writeIn(await this.#running(sandboxId), placeAgentDir({ files, env: {} }, E2B_AGENT_DIR).files);
    } catch (error) {
      if (await mayBeGone(error)) await this.#stillRunning(sandboxId, error);
      throw error;
    }
  }

  async health(sandboxId: string): Promise<boolean> {
    try {
      // connect looks at a sandbox it has no connection to with getInfo: a paused one stays paused.
      const handle = await this.connect(sandboxId);
      if (await checkHealth(handle.agentUrl, handle.agentToken, { fetch: this.#options.fetch })) return true;
    } catch {}
    // Maybe paused behind our back: the next call asks E2B instead of trusting the cache.
    this.#sandboxes.delete(sandboxId);
    return false;
  }

  /** Restarts the server; a sandbox E2B paused on its own (TTL, a plan's cap) is resumed first. */
  async restartAgentServer(sandboxId: string): Promise<SandboxHandle> {
    const restart = async (sandbox: E2BSandboxLike) => {
      const record = await readRecord(sandbox);
      if (!record) throw new SandboxNotRunningError(sandboxId);
      return this.#start(sandbox, record.sessionId, { fresh: false });
    };
    const cached = this.#sandboxes.get(sandboxId);
    const first = cached ?? (await this.#reconnect(sandboxId));
    try {
      return await restart(first);
    } catch (error) {
      this.#sandboxes.delete(sandboxId);
      if (!cached || (await this.#stateOf(sandboxId)) !== "paused") throw error;
      // Cached as running, found paused: resume it and start again, once.
      return restart(await this.#reconnect(sandboxId));
    }
  }

  async destroy(sandboxId: string, options: { keepWorkspace?: boolean } = {}): Promise<void> {
    this.#sandboxes.delete(sandboxId);
    if (options.keepWorkspace && this.#pause) {
      // The paused VM keeps the workspace (and memory); resume restarts the server. Already
      // paused (the API's 409) is as good; a sandbox that no longer exists has nothing to keep.
      await this.#sdk.pause(sandboxId, this.#auth()).catch(async (error: unknown) => {
        if (!(await isSandboxMissing(error))) throw error;
      });
      return;
    }
    await this.#sdk.kill(sandboxId, this.#auth());
  }

  async pause(sandboxId: string): Promise<boolean> {
    if (!this.#pause) return false;
    this.#sandboxes.delete(sandboxId);
    try {
      // false: it already was paused, which is what was asked.
      await this.#sdk.pause(sandboxId, this.#auth());
    } catch (error) {
      if (await isSandboxMissing(error)) throw new SandboxNotFoundError(sandboxId);
      throw error;
    }
    return true;
  }

  async resume(
    sandboxId: string,
    options: Omit<CreateSandboxOptions, "files"> & { files?: WorkspaceFile[] },
  ): Promise<SandboxHandle> {
    const sandbox = await step(options.onStep, "sandbox", "Resuming E2B sandbox", () =>
      this.#reconnect(sandboxId),
    );
    try {
      await this.#checkGateway(sandbox, options.onStep);
      const placed = placeAgentDir(options, E2B_AGENT_DIR);
      await step(options.onStep, "files", "Writing workspace files", () =>
        writeIn(sandbox, [...placed.files, envFileEntry(placed.env)]),
      );
      return await step(options.onStep, "agent-server", "Starting sandbox-agent", () =>
        this.#start(sandbox, options.sessionId, { fresh: false, signal: options.signal }),
      );
    } catch (error) {
      this.#sandboxes.delete(sandboxId);
      throw error;
    }
  }

  /** This installation's sandboxes only: another studio on the same E2B team has its own. */
  async list(): Promise<SandboxInfo[]> {
    const installation = this.#options.installationId;
    const paginator = this.#sdk.list({
      ...this.#auth(),
      query: { metadata: { [E2B_INSTALLATION_KEY]: installation } },
    });
    const result: SandboxInfo[] = [];
    while (paginator.hasNext) {
      for (const info of await paginator.nextItems()) {
        if (info.metadata[E2B_INSTALLATION_KEY] !== installation) continue;
        // Metadata is fixed at creation: after a resume under a new session this is the first one.
        result.push({
          id: info.sandboxId,
          sessionId: info.metadata.studioSessionId ?? "",
          state: info.state,
        });
      }
    }
    return result;
  }

  /**
   * Pushes the sandbox's TTL to `sandboxTimeoutMs` from now. E2B's timeout is wall-clock, not
   * idle-based: call this on session activity (keepalive), or a long session pauses mid-work.
   * A paused or missing sandbox is left as it is, and no longer trusted as running.
   */
  async keepAlive(sandboxId: string): Promise<void> {
    try {
      await this.#sdk.setTimeout(sandboxId, this.#timeoutMs, this.#auth());
    } catch (error) {
      if (await isSandboxMissing(error)) this.#sandboxes.delete(sandboxId);
    }
  }

  /** E2B sandboxes outlive this process on purpose (another replica may take over; the TTL pauses
   * them): only the local connection cache is dropped. */
  async shutdown(): Promise<void> {
    this.#sandboxes.clear();
  }

  #auth(): { apiKey?: string } {
    return this.#options.apiKey ? { apiKey: this.#options.apiKey } : {};
  }

  #checkGateway(sandbox: E2BSandboxLike, onStep: CreateSandboxOptions["onStep"]): Promise<void> {
    const gatewayUrl = this.#options.gatewayUrl?.();
    if (!gatewayUrl) return Promise.resolve();
    return step(onStep, "gateway", "Checking the sandbox reaches the studio", () =>
      probeGateway(sandbox, gatewayUrl),
    );
  }

  /** Connects, which resumes a paused sandbox; always with timeoutMs, else E2B resets the TTL to 5 min. */
  async #reconnect(sandboxId: string): Promise<E2BSandboxLike> {
    let sandbox: E2BSandboxLike;
    try {
      sandbox = await this.#sdk.connect(sandboxId, { ...this.#auth(), timeoutMs: this.#timeoutMs });
    } catch (error) {
      if (await isSandboxMissing(error)) throw new SandboxNotFoundError(sandboxId);
      throw error;
    }
    this.#sandboxes.set(sandboxId, sandbox);
    return sandbox;
  }

  async #stateOf(sandboxId: string): Promise<"running" | "paused"> {
    try {
      return (await this.#sdk.getInfo(sandboxId, this.#auth())).state;
    } catch (error) {
      if (await isSandboxMissing(error)) throw new SandboxNotFoundError(sandboxId);
      throw error;
    }
  }

  /** A connection to a sandbox that runs; never resumes one (SandboxNotRunningError). */
  async #running(sandboxId: string): Promise<E2BSandboxLike> {
    const cached = this.#sandboxes.get(sandboxId);
    if (cached) return cached;
    if ((await this.#stateOf(sandboxId)) !== "running") throw new SandboxNotRunningError(sandboxId);
    return this.#reconnect(sandboxId);
  }

  /** After a failure that may mean the sandbox is gone: drops the cache, and says so if it is. */
  async #stillRunning(sandboxId: string, error: unknown): Promise<void> {
    this.#sandboxes.delete(sandboxId);
    const state = await this.#stateOf(sandboxId).catch((stateError: unknown) => {
      throw stateError instanceof SandboxNotFoundError ? stateError : error;
    });
    if (state !== "running") throw new SandboxNotRunningError(sandboxId);
  }

  /** agent.json, read again over a fresh connection after a failure while the sandbox runs. */
  async #record(sandboxId: string, sandbox: E2BSandboxLike): Promise<AgentRecord | null> {
    try {
      return await readRecord(sandbox);
    } catch (error) {
      // Not "no server": a 502, a dropped connection. Paused → not running; else one more read.
      await this.#stillRunning(sandboxId, error);
      return readRecord(await this.#reconnect(sandboxId));
    }
  }

  #start(sandbox: E2BSandboxLike, sessionId: string, extra: { fresh: boolean; signal?: AbortSignal }) {
    return startAgent(sandbox, {
      sessionId,
      agentPort: this.#options.agentPort ?? 3000,
      opencodePort: this.#options.opencodePort ?? 4096,
      healthTimeoutMs: this.#options.healthTimeoutMs ?? 60_000,
      fetch: this.#options.fetch,
      sleep: this.#options.sleep,
      ...extra,
    });
  }
}
