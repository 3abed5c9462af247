// The contract between the studio and wherever an agent runs. `local` runs sandbox-agent as a
// process on this machine; `e2b` runs it in an E2B microVM. The session runner only sees this.

export type SandboxProviderKind = "local" | "e2b";

export interface WorkspaceFile {
  /** Relative to the workspace directory, or absolute inside the sandbox (e.g. under HOME). */
  path: string;
  content: string;
  /** Octal mode, e.g. 0o755 for launcher scripts. */
  mode?: number;
}

export interface CreateSandboxOptions {
  /** The studio session this sandbox serves; providers tag the sandbox with it for `list`. */
  sessionId: string;
  /** Environment for the sandbox-agent server and so for the agent it spawns. */
  env: Record<string, string>;
  /** Written before the agent server starts (opencode.json, instructions, launcher files…). */
  files: WorkspaceFile[];
  /** Reports each step as it happens (provisioning progress in the UI). */
  onStep?: (step: ProvisioningStep) => void;
  signal?: AbortSignal;
}

export interface ProvisioningStep {
  step: string;
  label: string;
  state: "started" | "completed" | "failed";
  detail?: string;
  /** How far a long step is (a clone: objects received of the total, bytes), while it runs. */
  progress?: StepProgress;
}

export interface StepProgress {
  percent: number | null;
  done: number | null;
  total: number | null;
  bytes: number | null;
}

export interface SandboxHandle {
  id: string;
  provider: SandboxProviderKind;
  sessionId: string;
  /** Absolute path of the workspace inside the sandbox (the ACP session's cwd). */
  workspaceDir: string;
  /** sandbox-agent's base URL as seen from the studio server, e.g. http://127.0.0.1:41234. */
  agentUrl: string;
  /**
   * Bearer token sandbox-agent requires: always on E2B, where every port is public; null for a
   * local sandbox with a network of its own, reached only through the studio's private socket.
   */
  agentToken: string | null;
  /** How to reach `agentUrl` when the global fetch cannot (a Unix socket); absent: global fetch. */
  agentFetch?: typeof fetch;
  /**
   * The Unix socket `agentFetch` goes through, for what a fetch cannot carry (the terminal's
   * WebSocket). Set exactly when `agentFetch` reaches a socket; absent: `agentUrl` over TCP.
   */
  agentSocketPath?: string;
  /** OpenCode's own HTTP API (question replies), as seen from the studio server. */
  opencodeUrl: string;
  /** How to reach `opencodeUrl` when the global fetch cannot; absent: global fetch. */
  opencodeFetch?: typeof fetch;
  /**
   * Headers every request to `opencodeUrl` needs. Both providers start OpenCode with
   * OPENCODE_SERVER_PASSWORD (basic auth): its API can run commands and shows the resolved config,
   * and on E2B its port is public. Optional only so existing fakes keep compiling.
   */
  opencodeHeaders?: Record<string, string>;
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface SandboxInfo {
  id: string;
  sessionId: string;
  state: "running" | "paused" | "stopped";
}

export interface SandboxProvider {
  readonly kind: SandboxProviderKind;
  /** Creates the sandbox, writes the files, starts sandbox-agent and waits until it is healthy. */
  create(options: CreateSandboxOptions): Promise<SandboxHandle>;
  /** Re-attaches to an existing sandbox after a server restart or on another replica. */
  connect(sandboxId: string): Promise<SandboxHandle>;
  runCommand(
    sandboxId: string,
    command: string,
    options?: { cwd?: string; timeoutMs?: number },
  ): Promise<CommandResult>;
  writeFiles(sandboxId: string, files: WorkspaceFile[]): Promise<void>;
  /** True when sandbox-agent answers its health endpoint. */
  health(sandboxId: string): Promise<boolean>;
  /** Restarts sandbox-agent (and so the agent) in a sandbox whose server died; workspace kept. */
  restartAgentServer(sandboxId: string): Promise<SandboxHandle>;
  /** Stops every process and frees the sandbox; the workspace survives only where `resume` can use it. */
  destroy(sandboxId: string, options?: { keepWorkspace?: boolean }): Promise<void>;
  /** Freezes a sandbox where the provider can (E2B pause); false when it cannot. */
  pause(sandboxId: string): Promise<boolean>;
  /** Brings a stopped or paused sandbox back with its workspace. */
  resume(
    sandboxId: string,
    options: Omit<CreateSandboxOptions, "files"> & { files?: WorkspaceFile[] },
  ): Promise<SandboxHandle>;
  /** Every sandbox this provider knows of, to reconcile with the database at boot. */
  list(): Promise<SandboxInfo[]>;
  /** Ends every process this provider started (server shutdown). */
  shutdown(): Promise<void>;
  /**
   * Session activity: keeps the sandbox from expiring. E2B's timeout is wall-clock, so without
   * this a long active session is paused mid-work; local sandboxes do not expire (no-op).
   */
  keepAlive?(sandboxId: string): Promise<void>;
  /**
   * Ends what a previous run of the studio left behind and `list` cannot show (the local provider
   * also finds processes whose sandbox directory is gone): sandboxes whose session `isLive` says is
   * over. Called once at boot. Absent: the runner ends the running sandboxes `list` shows whose
   * session is over.
   */
  reapOrphans?(isLive: LiveCheck): Promise<ReapedSandbox[]>;
}

/** Whether a sandbox's session still runs (its runner will re-attach to it). */
export type LiveCheck = (sandbox: { id: string; sessionId: string }) => boolean | Promise<boolean>;

export interface ReapedSandbox {
  id: string;
  sessionId: string | null;
  pids: number[];
}
