// One sandbox of the fake E2B SDK (fake-sdk.ts), as strict as the real one, read from e2b 2.51's
// sources and envd's (e2b-dev/infra: process handler, start, permissions): a paused or killed
// sandbox refuses commands (SandboxNotFoundError: the start stream is Unavailable behind the
// proxy's 502) and file operations (TimeoutError: the SDK's mapping of that 502); an unknown user
// or a missing cwd fails the start (AuthenticationError, InvalidArgumentError); processes get the
// create-time environment under their own; a non-zero exit throws CommandExitError; SIGKILL ends
// with -1; a process that outlives timeoutMs is killed (TimeoutError). Errors are the SDK's classes.
import {
  AuthenticationError,
  CommandExitError,
  type CommandResult,
  type CommandStartOpts,
  FileNotFoundError,
  type FilesystemReadOpts,
  type FilesystemWriteOpts,
  FileType,
  InvalidArgumentError,
  SandboxError,
  SandboxNotFoundError,
  TimeoutError,
  type WriteInfo,
} from "@e2b/code-interpreter";
import type { E2BCommandHandle, E2BSandboxLike, WriteEntry } from "./sdk.ts";

export interface RecordedCall {
  target: string;
  method: string;
  args: unknown[];
}

export interface Recorder {
  record(target: string, method: string, args: unknown[]): void;
}

/** What one command sees: the effective user, working directory and environment. */
export interface ProcessContext {
  sandbox: FakeSandbox;
  process: FakeProcess;
  cmd: string;
  user: string;
  cwd: string;
  envs: Record<string, string>;
  background: boolean;
}

/** A scripted command: ends at once with a result, keeps running, or fails to run at all. */
export type ScriptedOutcome =
  | { exitCode?: number; stdout?: string; stderr?: string }
  | { running: true }
  | Error;
export type CommandScript = (context: ProcessContext) => ScriptedOutcome | undefined;

const HOMES: Record<string, string> = { root: "/root", user: "/home/user" };
const GONE_MESSAGE = "The sandbox was killed or reached its end of life while the request was in flight.";

/** Envd's view of a process; the handle's `wait()` settles as CommandHandle.wait does. */
export class FakeProcess {
  state: "running" | "exited" | "dropped" = "running";
  result: CommandResult | null = null;
  readonly #settled: Promise<CommandResult>;
  #resolve!: (result: CommandResult) => void;
  #reject!: (error: Error) => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly pid: number,
    readonly cmd: string,
    readonly sandbox: FakeSandbox,
  ) {
    this.#settled = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#settled.catch(() => {});
  }

  get settled(): Promise<CommandResult> {
    return this.#settled;
  }

  /** The process ends: wait() resolves on 0 and throws CommandExitError otherwise. */
  exit(exitCode: number, output: { stdout?: string; stderr?: string; error?: string } = {}): void {
    if (this.state !== "running") return;
    this.state = "exited";
    clearTimeout(this.#timer);
    this.result = { exitCode, stdout: output.stdout ?? "", stderr: output.stderr ?? "", error: output.error };
    this.sandbox.closePortsOf(this);
    if (exitCode === 0) this.#resolve(this.result);
    else this.#reject(new CommandExitError(this.result));
  }

  /** The stream ends without a result (timeout, sandbox gone): envd drops the process. */
  drop(error: Error): void {
    if (this.state !== "running") return;
    this.state = "dropped";
    clearTimeout(this.#timer);
    this.sandbox.closePortsOf(this);
    this.#reject(error);
  }

  /** Only the caller's stream breaks (a pause): the process lives on in the memory snapshot. */
  breakStream(error: Error): void {
    this.#reject(error);
  }

  limit(timeoutMs: number): void {
    if (timeoutMs <= 0) return;
    this.#timer = setTimeout(
      () =>
        this.drop(
          new TimeoutError(
            "deadline_exceeded: This error is likely due to exceeding 'timeoutMs' — the total time a long running request (like command execution or directory watch) can be active.",
          ),
        ),
      timeoutMs,
    );
    this.#timer.unref();
  }
}

export class FakeSandbox implements E2BSandboxLike {
  /** Files by absolute path, and directories (a write creates its parents, as envd does). */
  readonly fs = new Map<string, string>();
  readonly dirs = new Set<string>(["/", "/home", "/home/user", "/root", "/tmp"]);
  readonly users = new Set(["root", "user"]);
  readonly processes: FakeProcess[] = [];
  readonly ports = new Map<
    number,
    { handler: (request: Request) => Response | Promise<Response>; owner?: FakeProcess }
  >();
  state: "running" | "paused" | "killed" = "running";
  /** Injected failures: the next calls of a method ("files.read", "commands.run") throw these. */
  readonly failures = new Map<string, Error[]>();
  #nextPid = 100;

  constructor(
    readonly sandboxId: string,
    readonly templateId: string,
    readonly domain: string,
    /** Create-time environment: envd's defaults for every process, kept across pause and resume. */
    readonly envs: Record<string, string>,
    readonly metadata: Record<string, string>,
    private readonly recorder: Recorder,
    private readonly script: () => CommandScript | undefined,
  ) {}

  readonly files = {
    write: async (files: WriteEntry[], _opts?: FilesystemWriteOpts): Promise<WriteInfo[]> => {
      this.recorder.record(this.sandboxId, "files.write", [files]);
      this.#injected("files.write");
      this.#refuseUnlessRunning("http");
      return files.map((file) => {
        if (typeof file.data !== "string") throw new InvalidArgumentError("the fake stores text only");
        this.mkdirs(parentOf(file.path));
        this.fs.set(file.path, file.data);
        return {
          name: file.path.slice(file.path.lastIndexOf("/") + 1),
          type: FileType.FILE,
          path: file.path,
        };
      });
    },
    read: async (path: string, _opts?: FilesystemReadOpts & { format?: "text" }): Promise<string> => {
      this.recorder.record(this.sandboxId, "files.read", [path]);
      this.#injected("files.read");
      this.#refuseUnlessRunning("http");
      const data = this.fs.get(path);
      if (data === undefined) throw new FileNotFoundError(`file '${path}' not found`);
      return data;
    },
  };

  readonly commands = new FakeCommands((cmd, opts) => this.#run(cmd, opts));

  getHost(port: number): string {
    return `${port}-${this.sandboxId}.${this.domain}`;
  }

  mkdirs(dir: string): void {
    for (let at = dir; at !== "/" && at !== ""; at = parentOf(at)) this.dirs.add(at);
  }

  /** Opens a port behind E2B's proxy; closed again when `owner` ends. */
  listen(
    port: number,
    handler: (request: Request) => Response | Promise<Response>,
    owner?: FakeProcess,
  ): void {
    this.ports.set(port, { handler, owner });
  }

  closePortsOf(process: FakeProcess): void {
    for (const [port, entry] of this.ports) if (entry.owner === process) this.ports.delete(port);
  }

  running(): FakeProcess[] {
    return this.processes.filter((p) => p.state === "running");
  }

  /** Pause: callers' streams break; processes are frozen in the snapshot and go on after resume. */
  freeze(): void {
    this.state = "paused";
    for (const process of this.running()) process.breakStream(new TimeoutError(GONE_MESSAGE));
  }

  destroy(): void {
    this.state = "killed";
    for (const process of this.running()) process.drop(new TimeoutError(GONE_MESSAGE));
    this.ports.clear();
  }

  async #run(cmd: string, opts?: StartOpts): Promise<CommandResult | E2BCommandHandle> {
    this.recorder.record(this.sandboxId, "commands.run", opts === undefined ? [cmd] : [cmd, opts]);
    this.#injected("commands.run");
    this.#refuseUnlessRunning("rpc");
    const user = opts?.user ?? "user";
    if (!this.users.has(user)) throw new AuthenticationError(`invalid username: '${user}'`);
    const cwd = opts?.cwd ?? HOMES[user] ?? "/";
    if (!this.dirs.has(cwd)) throw new InvalidArgumentError(`cwd '${cwd}' does not exist`);
    const process = new FakeProcess(this.#nextPid++, cmd, this);
    this.processes.push(process);
    const background = opts?.background === true;
    const context: ProcessContext = {
      sandbox: this,
      process,
      cmd,
      user,
      cwd,
      envs: { ...this.envs, ...opts?.envs },
      background,
    };
    const outcome = this.script()?.(context) ?? (background ? { running: true as const } : {});
    if (outcome instanceof Error) {
      process.drop(outcome);
      throw outcome;
    }
    // envd's default for a command's stream is 60 s; 0 is no limit.
    if ("running" in outcome) process.limit(opts?.timeoutMs ?? 60_000);
    else queueMicrotask(() => process.exit(outcome.exitCode ?? 0, outcome));
    if (!background) return process.settled;
    let disconnected = false;
    return {
      pid: process.pid,
      wait: async () => {
        const result = await process.settled;
        if (disconnected) throw new SandboxError("Process exited without a result");
        return result;
      },
      kill: async () => {
        const wasRunning = process.state === "running";
        process.exit(-1, { error: "signal: killed" });
        return wasRunning;
      },
      disconnect: async () => {
        disconnected = true;
      },
    };
  }

  #injected(method: string): void {
    const error = this.failures.get(method)?.shift();
    if (error) throw error;
  }

  #refuseUnlessRunning(channel: "http" | "rpc"): void {
    if (this.state === "running") return;
    // The proxy answers 502 for a paused or missing sandbox; the SDK maps it per channel.
    if (channel === "rpc") throw new SandboxNotFoundError("Sandbox is probably not running anymore");
    throw new TimeoutError(
      "502: The sandbox is not running: This error is likely due to sandbox timeout. You can modify the sandbox timeout by passing 'timeoutMs' when starting the sandbox or calling '.setTimeout' on the sandbox with the desired timeout.",
    );
  }
}

type StartOpts = CommandStartOpts & { background?: boolean };

/** `commands` with the SDK's own overloads of `run`, so the type checker holds the fake to them. */
class FakeCommands {
  constructor(
    private readonly start: (cmd: string, opts?: StartOpts) => Promise<CommandResult | E2BCommandHandle>,
  ) {}

  run(cmd: string, opts?: CommandStartOpts & { background?: false }): Promise<CommandResult>;
  run(cmd: string, opts: CommandStartOpts & { background: true }): Promise<E2BCommandHandle>;
  run(cmd: string, opts?: StartOpts): Promise<CommandResult | E2BCommandHandle> {
    return this.start(cmd, opts);
  }
}

function parentOf(path: string): string {
  const at = path.lastIndexOf("/");
  return at <= 0 ? "/" : path.slice(0, at);
}
