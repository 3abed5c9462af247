// The slice of the E2B SDK the provider uses, as an injectable object: tests pass a recorded fake
// (E2B cannot be reached from the studio's CI machines) and production passes `realE2BSdk`.
import {
  type SandboxInfo as E2BSandboxInfo,
  Sandbox,
  type SandboxConnectOpts,
  type SandboxListOpts,
  type SandboxOpts,
} from "@e2b/code-interpreter";

export interface E2BRunOptions {
  background?: boolean;
  cwd?: string;
  user?: string;
  envs?: Record<string, string>;
  /** 0 = no limit. For background commands the limit also ends the process (envd drops it). */
  timeoutMs?: number;
}

/** What `commands.run` resolves to: a handle for background commands, a result otherwise. */
export interface E2BCommandOutcome {
  pid?: number;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
}

export interface E2BSandboxLike {
  readonly sandboxId: string;
  readonly files: {
    write(files: Array<{ path: string; data: string }>): Promise<unknown>;
    read(path: string): Promise<string>;
  };
  readonly commands: {
    run(cmd: string, opts?: E2BRunOptions): Promise<E2BCommandOutcome>;
  };
  getHost(port: number): string;
  pause(): Promise<boolean>;
}

export interface E2BPaginator {
  readonly hasNext: boolean;
  nextItems(): Promise<E2BSandboxInfo[]>;
}

export interface E2BSdk {
  create(template: string, opts: SandboxOpts): Promise<E2BSandboxLike>;
  connect(sandboxId: string, opts: SandboxConnectOpts): Promise<E2BSandboxLike>;
  list(opts: SandboxListOpts): E2BPaginator;
  kill(sandboxId: string, opts?: { apiKey?: string }): Promise<boolean>;
  /** State without resuming (connect would resume a paused sandbox). */
  getInfo(
    sandboxId: string,
    opts?: { apiKey?: string },
  ): Promise<Pick<E2BSandboxInfo, "sandboxId" | "state" | "metadata">>;
  /** Moves the TTL to now + timeoutMs (the keepalive). */
  setTimeout(sandboxId: string, timeoutMs: number, opts?: { apiKey?: string }): Promise<void>;
}

/** The real SDK (`Sandbox` from @e2b/code-interpreter, which re-exports e2b 2.x). */
export const realE2BSdk: E2BSdk = {
  create: (template, opts) => Sandbox.create(template, opts),
  connect: (sandboxId, opts) => Sandbox.connect(sandboxId, opts),
  list: (opts) => Sandbox.list(opts),
  kill: (sandboxId, opts) => Sandbox.kill(sandboxId, opts),
  getInfo: (sandboxId, opts) => Sandbox.getInfo(sandboxId, opts),
  setTimeout: (sandboxId, timeoutMs, opts) => Sandbox.setTimeout(sandboxId, timeoutMs, opts),
};

/** CommandExitError (non-zero exit of a foreground command) carries the result; so can a fake. */
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

export function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === "TimeoutError";
}
