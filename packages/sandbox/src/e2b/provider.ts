// The `e2b` provider: one E2B microVM per sandbox, sandbox-agent started in it with a token (every
// E2B port is public), reached at https://<port>-<id>.<domain>. The sandbox itself holds what a
// studio replica needs to re-attach (agent.json, see agent.ts), so any replica can `connect`.
import type { SandboxOpts } from "@e2b/code-interpreter";
import { checkHealth, type FetchLike } from "../agent-server.ts";
import { SandboxNotRunningError, step } from "../errors.ts";
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
  COMMAND_TIMEOUT_MS,
  envFileEntry,
  handleFor,
  readRecord,
  runIn,
  startAgent,
  writeIn,
} from "./agent.ts";
import { E2B_AGENT_DIR, E2B_HOME, E2B_WORKSPACE, installCommand, userCommand } from "./commands.ts";
import { type E2BSandboxLike, type E2BSdk, isTimeout, realE2BSdk } from "./sdk.ts";

export interface E2BSandboxProviderOptions {
  sdk?: E2BSdk;
  /** Else the SDK reads E2B_API_KEY. */
  apiKey?: string;
  /** Template with sandbox-agent and OpenCode baked in (template.ts). Unset: install at run time. */
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
  /** Extra metadata on every sandbox; also the `list` filter (e.g. one studio installation). */
  metadata?: Record<string, string>;
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
  readonly #agentPort: number;
  readonly #opencodePort: number;
  readonly #metadata: Record<string, string>;
  readonly #sandboxes = new Map<string, E2BSandboxLike>();

  constructor(options: E2BSandboxProviderOptions = {}) {
    this.#sdk = options.sdk ?? realE2BSdk;
    this.#options = options;
    this.#timeoutMs = options.sandboxTimeoutMs ?? 60 * 60_000;
    this.#pause = options.pauseOnTimeout ?? true;
    this.#agentPort = options.agentPort ?? 3000;
    this.#opencodePort = options.opencodePort ?? 4096;
    this.#metadata = { studio: "studio", ...options.metadata };
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
          runIn(sandbox, installCommand(), { user: "root", timeoutMs: INSTALL_TIMEOUT_MS }),
        );
      }
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

  async connect(sandboxId: string): Promise<SandboxHandle> {
    const sandbox = await this.#get(sandboxId);
    const record = await readRecord(sandbox);
    if (!record) throw new SandboxNotRunningError(sandboxId);
    return handleFor(sandbox, record);
  }

  async runCommand(
    sandboxId: string,
    command: string,
    options: { cwd?: string; timeoutMs?: number } = {},
  ): Promise<CommandResult> {
    const sandbox = await this.#get(sandboxId);
    const cwd = resolveSandboxPath(options.cwd ?? ".", { workspace: E2B_WORKSPACE, home: E2B_HOME });
    const timeoutMs = options.timeoutMs ?? COMMAND_TIMEOUT_MS;
    try {
      return await runIn(sandbox, userCommand(command), { cwd, timeoutMs });
    } catch (error) {
      if (!isTimeout(error)) throw error;
      return { exitCode: 124, stdout: "", stderr: `command timed out after ${timeoutMs} ms` };
    }
  }

  async writeFiles(sandboxId: string, files: WorkspaceFile[]): Promise<void> {
    await writeIn(await this.#get(sandboxId), placeAgentDir({ files, env: {} }, E2B_AGENT_DIR).files);
  }

  async health(sandboxId: string): Promise<boolean> {
    try {
      // Connecting would resume a paused sandbox: look at its state first.
      if (!this.#sandboxes.has(sandboxId)) {
        const info = await this.#sdk.getInfo(sandboxId, this.#auth());
        if (info.state !== "running") return false;
      }
      const handle = await this.connect(sandboxId);
      return await checkHealth(handle.agentUrl, handle.agentToken, { fetch: this.#options.fetch });
    } catch {
      return false;
    }
  }

  async restartAgentServer(sandboxId: string): Promise<SandboxHandle> {
    const sandbox = await this.#get(sandboxId);
    const record = await readRecord(sandbox);
    if (!record) throw new SandboxNotRunningError(sandboxId);
    return this.#start(sandbox, record.sessionId, { fresh: false });
  }

  async destroy(sandboxId: string, options: { keepWorkspace?: boolean } = {}): Promise<void> {
    if (options.keepWorkspace && this.#pause) {
      // The paused VM keeps the workspace (and memory); resume restarts the server.
      await (await this.#get(sandboxId)).pause();
      this.#sandboxes.delete(sandboxId);
      return;
    }
    this.#sandboxes.delete(sandboxId);
    await this.#sdk.kill(sandboxId, this.#auth());
  }

  async pause(sandboxId: string): Promise<boolean> {
    if (!this.#pause) return false;
    await (await this.#get(sandboxId)).pause();
    this.#sandboxes.delete(sandboxId);
    return true;
  }

  async resume(
    sandboxId: string,
    options: Omit<CreateSandboxOptions, "files"> & { files?: WorkspaceFile[] },
  ): Promise<SandboxHandle> {
    // connect resumes a paused sandbox; always with timeoutMs, else E2B resets the TTL to 5 min.
    const sandbox = await step(options.onStep, "sandbox", "Resuming E2B sandbox", () =>
      this.#reconnect(sandboxId),
    );
    const placed = placeAgentDir(options, E2B_AGENT_DIR);
    await step(options.onStep, "files", "Writing workspace files", () =>
      writeIn(sandbox, [...placed.files, envFileEntry(placed.env)]),
    );
    return step(options.onStep, "agent-server", "Starting sandbox-agent", () =>
      this.#start(sandbox, options.sessionId, { fresh: false, signal: options.signal }),
    );
  }

  async list(): Promise<SandboxInfo[]> {
    const paginator = this.#sdk.list({ ...this.#auth(), query: { metadata: this.#metadata } });
    const result: SandboxInfo[] = [];
    while (paginator.hasNext) {
      for (const info of await paginator.nextItems()) {
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
   * A paused or missing sandbox is left as it is.
   */
  async keepAlive(sandboxId: string): Promise<void> {
    try {
      await this.#sdk.setTimeout(sandboxId, this.#timeoutMs, this.#auth());
    } catch {}
  }

  /** E2B sandboxes outlive this process on purpose (another replica may take over; the TTL pauses
   * them): only the local connection cache is dropped. */
  async shutdown(): Promise<void> {
    this.#sandboxes.clear();
  }

  #auth(): { apiKey?: string } {
    return this.#options.apiKey ? { apiKey: this.#options.apiKey } : {};
  }

  async #reconnect(sandboxId: string): Promise<E2BSandboxLike> {
    // Always with timeoutMs: without it E2B resets the TTL to 5 minutes.
    const sandbox = await this.#sdk.connect(sandboxId, { ...this.#auth(), timeoutMs: this.#timeoutMs });
    this.#sandboxes.set(sandboxId, sandbox);
    return sandbox;
  }

  async #get(sandboxId: string): Promise<E2BSandboxLike> {
    return this.#sandboxes.get(sandboxId) ?? this.#reconnect(sandboxId);
  }

  #start(sandbox: E2BSandboxLike, sessionId: string, extra: { fresh: boolean; signal?: AbortSignal }) {
    return startAgent(sandbox, {
      sessionId,
      agentPort: this.#agentPort,
      opencodePort: this.#opencodePort,
      healthTimeoutMs: this.#options.healthTimeoutMs ?? 60_000,
      fetch: this.#options.fetch,
      sleep: this.#options.sleep,
      ...extra,
    });
  }
}
