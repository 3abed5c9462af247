// The slice of the E2B SDK the provider uses, as an injectable object: tests pass the strict fake
// (fake-sdk.ts; E2B cannot be reached from the studio's CI machines) and production `realE2BSdk`.
// Every type here is the SDK's own, so the real SDK and the fake are checked against the same
// signatures (sdk-surface.test.ts) and neither can drift from what the provider calls.
import {
  type CommandHandle,
  type CommandResult,
  type CommandStartOpts,
  SandboxNotFoundError as E2BSandboxGoneError,
  FileNotFoundError,
  type Filesystem,
  type FilesystemReadOpts,
  type FilesystemWriteOpts,
  Sandbox,
  type SandboxConnectOpts,
  type SandboxListOpts,
  type SandboxOpts,
  type SandboxPaginator,
  TimeoutError,
  type WriteInfo,
} from "@e2b/code-interpreter";

/** `{ path, data }`: the SDK does not export its WriteEntry type by name. */
export type WriteEntry = Parameters<Filesystem["writeFiles"]>[0][number];

/** What the provider uses of a background command's handle. */
export type E2BCommandHandle = Pick<CommandHandle, "pid" | "wait" | "kill" | "disconnect">;

/** A connected sandbox: the overloads of `files` and `commands` the provider calls, as the SDK types them. */
export interface E2BSandboxLike {
  readonly sandboxId: string;
  readonly files: {
    write(files: WriteEntry[], opts?: FilesystemWriteOpts): Promise<WriteInfo[]>;
    read(path: string, opts?: FilesystemReadOpts & { format?: "text" }): Promise<string>;
  };
  readonly commands: {
    run(cmd: string, opts?: CommandStartOpts & { background?: false }): Promise<CommandResult>;
    run(cmd: string, opts: CommandStartOpts & { background: true }): Promise<E2BCommandHandle>;
  };
  getHost(port: number): string;
}

export type E2BPaginator = Pick<SandboxPaginator, "hasNext" | "nextItems">;

type SandboxApi = typeof Sandbox;

export interface E2BSdk {
  create(template: string, opts?: SandboxOpts): Promise<E2BSandboxLike>;
  /** Resumes a paused sandbox: never call it only to look at one (getInfo does that). */
  connect(sandboxId: string, opts?: SandboxConnectOpts): Promise<E2BSandboxLike>;
  list(opts?: SandboxListOpts): E2BPaginator;
  kill: SandboxApi["kill"];
  /** State and metadata without resuming. */
  getInfo: SandboxApi["getInfo"];
  /** Moves the TTL to now + timeoutMs (the keepalive). */
  setTimeout: SandboxApi["setTimeout"];
  /** By id, so pausing never needs a connection (which would resume it first). */
  pause: SandboxApi["pause"];
}

/** The real SDK (`Sandbox` from @e2b/code-interpreter, which re-exports e2b 2.x). */
export const realE2BSdk: E2BSdk = {
  create: (template, opts) => Sandbox.create(template, opts),
  connect: (sandboxId, opts) => Sandbox.connect(sandboxId, opts),
  list: (opts) => Sandbox.list(opts),
  kill: (sandboxId, opts) => Sandbox.kill(sandboxId, opts),
  getInfo: (sandboxId, opts) => Sandbox.getInfo(sandboxId, opts),
  setTimeout: (sandboxId, timeoutMs, opts) => Sandbox.setTimeout(sandboxId, timeoutMs, opts),
  pause: (sandboxId, opts) => Sandbox.pause(sandboxId, opts),
};

/** CommandExitError (non-zero exit of a foreground command) carries the result. */
export function exitResult(error: unknown): { exitCode: number; stdout: string; stderr: string } | null {
  if (typeof error !== "object" || error === null) return null;
  const candidate = error as { exitCode?: unknown; stdout?: unknown; stderr?: unknown };
  if (typeof candidate.exitCode !== "number") return null;
  return {
    exitCode: candidate.exitCode,
    stdout: typeof candidate.stdout === "string" ? candidate.stdout : "",
    stderr: typeof candidate.stderr === "string" ? candidate.stderr : "",
  };
}

export const isFileMissing = (error: unknown): boolean => error instanceof FileNotFoundError;

/**
 * Errors that may mean the sandbox is not running any more (paused by its TTL, killed): the proxy
 * answers 502 (TimeoutError) or a command cannot start (SandboxNotFoundError). Also what a command
 * that outlived its own timeoutMs throws, so only the sandbox's state tells them apart.
 */
export const mayBeGone = (error: unknown): boolean =>
  error instanceof TimeoutError || error instanceof E2BSandboxGoneError;

export const isTimeoutError = (error: unknown): boolean => error instanceof TimeoutError;

/** The API's 404: the sandbox does not exist (killed, or expired while paused). */
export const isSandboxMissing = (error: unknown): boolean => error instanceof E2BSandboxGoneError;
