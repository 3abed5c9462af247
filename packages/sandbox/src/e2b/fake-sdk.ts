// A recording fake of the E2B SDK slice (sdk.ts) for unit tests: it keeps every call with its
// arguments, a file system per sandbox, and answers commands through an optional script.
import type { SandboxInfo as E2BSandboxInfo } from "@e2b/code-interpreter";
import type { E2BCommandOutcome, E2BPaginator, E2BRunOptions, E2BSandboxLike, E2BSdk } from "./sdk.ts";

export interface RecordedCall {
  target: string;
  method: string;
  args: unknown[];
}

export type CommandScript = (
  cmd: string,
  opts: E2BRunOptions | undefined,
) => E2BCommandOutcome | Error | undefined;

export class FakeSandbox implements E2BSandboxLike {
  readonly fs = new Map<string, string>();
  paused = false;
  #nextPid = 100;

  constructor(
    readonly sandboxId: string,
    private readonly sdk: FakeE2BSdk,
  ) {}

  readonly files = {
    write: async (files: Array<{ path: string; data: string }>) => {
      this.sdk.record(this.sandboxId, "files.write", [files]);
      for (const file of files) this.fs.set(file.path, file.data);
      return files.map((f) => ({ path: f.path }));
    },
    read: async (path: string) => {
      this.sdk.record(this.sandboxId, "files.read", [path]);
      const data = this.fs.get(path);
      if (data === undefined)
        throw Object.assign(new Error(`file not found: ${path}`), { name: "FileNotFoundError" });
      return data;
    },
  };

  readonly commands = {
    run: async (cmd: string, opts?: E2BRunOptions): Promise<E2BCommandOutcome> => {
      this.sdk.record(this.sandboxId, "commands.run", opts === undefined ? [cmd] : [cmd, opts]);
      const scripted = this.sdk.script?.(cmd, opts);
      if (scripted instanceof Error) throw scripted;
      if (scripted) return scripted;
      return opts?.background ? { pid: this.#nextPid++ } : { exitCode: 0, stdout: "", stderr: "" };
    },
  };

  getHost(port: number): string {
    return `${port}-${this.sandboxId}.e2b.app`;
  }

  async pause(): Promise<boolean> {
    this.sdk.record(this.sandboxId, "pause", []);
    this.paused = true;
    return true;
  }
}

export class FakeE2BSdk implements E2BSdk {
  readonly calls: RecordedCall[] = [];
  readonly sandboxes = new Map<string, FakeSandbox>();
  /** Pages `list` returns. */
  listPages: E2BSandboxInfo[][] = [];
  script: CommandScript | undefined;
  #next = 1;

  record(target: string, method: string, args: unknown[]): void {
    this.calls.push({ target, method, args });
  }

  /** Calls of one method (e.g. "commands.run") in order. */
  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  async create(template: string, opts: object): Promise<FakeSandbox> {
    const sandbox = new FakeSandbox(`sbx${this.#next++}`, this);
    this.record("sdk", "create", [template, opts]);
    this.sandboxes.set(sandbox.sandboxId, sandbox);
    return sandbox;
  }

  async connect(sandboxId: string, opts: object): Promise<FakeSandbox> {
    this.record("sdk", "connect", [sandboxId, opts]);
    const sandbox = this.sandboxes.get(sandboxId);
    if (!sandbox)
      throw Object.assign(new Error(`sandbox ${sandboxId} not found`), { name: "SandboxNotFoundError" });
    sandbox.paused = false;
    return sandbox;
  }

  list(opts: object): E2BPaginator {
    this.record("sdk", "list", [opts]);
    const pages = [...this.listPages];
    return {
      get hasNext() {
        return pages.length > 0;
      },
      nextItems: async () => pages.shift() ?? [],
    };
  }

  async getInfo(sandboxId: string, opts?: object) {
    this.record("sdk", "getInfo", opts === undefined ? [sandboxId] : [sandboxId, opts]);
    const sandbox = this.sandboxes.get(sandboxId);
    if (!sandbox)
      throw Object.assign(new Error(`sandbox ${sandboxId} not found`), { name: "SandboxNotFoundError" });
    return { sandboxId, state: sandbox.paused ? ("paused" as const) : ("running" as const), metadata: {} };
  }

  async setTimeout(sandboxId: string, timeoutMs: number, opts?: object): Promise<void> {
    this.record(
      "sdk",
      "setTimeout",
      opts === undefined ? [sandboxId, timeoutMs] : [sandboxId, timeoutMs, opts],
    );
    if (!this.sandboxes.get(sandboxId) || this.sandboxes.get(sandboxId)!.paused) {
      throw Object.assign(new Error("not running"), { name: "SandboxNotFoundError" });
    }
  }

  async kill(sandboxId: string, opts?: object): Promise<boolean> {
    this.record("sdk", "kill", opts === undefined ? [sandboxId] : [sandboxId, opts]);
    return this.sandboxes.delete(sandboxId);
  }
}

/** A fetch that answers sandbox-agent's health endpoint: `failures` 502s first, then ok. */
export function fakeHealthFetch(failures = 0) {
  const requests: Array<{ url: string; authorization: string | null }> = [];
  let remaining = failures;
  const fetch = async (url: string, init?: RequestInit) => {
    requests.push({ url, authorization: new Headers(init?.headers).get("authorization") });
    if (remaining > 0) {
      remaining--;
      return new Response("bad gateway", { status: 502 });
    }
    return Response.json({ status: "ok" });
  };
  return { fetch, requests };
}
