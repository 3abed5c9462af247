// The slice of the E2B SDK the provider uses, as an injectable object: tests pass the strict fake
// (fake-sdk.ts; E2B cannot be reached from the studio's CI machines) and production `realE2BSdk`.
// Every type here is the SDK's own, so the real SDK and the fake are checked against the same
// signatures (sdk-surface.test.ts) and neither can drift from what the provider calls.
import type {
  CommandHandle,
  CommandResult,
  CommandStartOpts,
  Filesystem,
  FilesystemReadOpts,
  FilesystemWriteOpts,
  Sandbox,
  SandboxConnectOpts,
  SandboxListOpts,
  SandboxOpts,
  SandboxPaginator,
  WriteInfo,
} from "@e2b/code-interpreter";

/**
 * The SDK itself, loaded on first use: most studios run local sandboxes only, and loading it (and
 * what it pulls in) costs every studio process and command-line run about 0.3 s of CPU at start.
 * The module is loaded once; later calls get the same instance, so `instanceof` on its errors holds.
 */
const e2b = () => import("@e2b/code-interpreter");

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
  create: async (template, opts) => (await e2b()).Sandbox.create(template, opts),
  connect: async (sandboxId, opts) => (await e2b()).Sandbox.connect(sandboxId, opts),
  list: (opts) => {
    // Synchronous in the SDK: the real paginator is made on the first page asked for.
    let paginator: E2BPaginator | undefined;
    return {
      get hasNext() {
        return paginator?.hasNext ?? true;
      },
      async nextItems() {
        paginator ??= (await e2b()).Sandbox.list(opts);
        return paginator.nextItems();
      },
    };
  },
  kill: async (sandboxId, opts) => (await e2b()).Sandbox.kill(sandboxId, opts),
  getInfo: async (sandboxId, opts) => (await e2b()).Sandbox.getInfo(sandboxId, opts),
  setTimeout: async (sandboxId, timeoutMs, opts) =>
    (await e2b()).Sandbox.setTimeout(sandboxId, timeoutMs, opts),
  pause: async (sandboxId, opts) => (await e2b()).Sandbox.pause(sandboxId, opts),
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

export const isFileMissing = async (error: unknown): Promise<boolean> =>
  error instanceof (await e2b()).FileNotFoundError;

/**
 * Errors that may mean the sandbox is not running any more (paused by its TTL, killed): the proxy
 * answers 502 (TimeoutError) or a command cannot start (SandboxNotFoundError). Also what a command
 * that outlived its own timeoutMs throws, so only the sandbox's state tells them apart.
 */
export const mayBeGone = async (error: unknown): Promise<boolean> => {
  const { TimeoutError, SandboxNotFoundError } = await e2b();
  return error instanceof TimeoutError || error instanceof SandboxNotFoundError;
};

export const isTimeoutError = async (error: unknown): Promise<boolean> =>
  error instanceof (await e2b()).TimeoutError;

/** The API's 404: the sandbox does not exist (killed, or expired while paused). */
export const isSandboxMissing = async (error: unknown): Promise<boolean> =>
  error instanceof (await e2b()).SandboxNotFoundError;
