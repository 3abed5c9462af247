// A recording fake of the E2B SDK slice (sdk.ts) for unit tests, as strict as e2b 2.51 read from
// its sources: connect resumes (404 → SandboxNotFoundError), pause answers false on 409 and throws
// on 404, getInfo returns what create was given, list filters by metadata and state and pages
// like SandboxPaginator, kill answers false for a missing sandbox, and `fetch` answers a sandbox's
// public URL as E2B's proxy does (502 while paused, gone or the port is closed).
import {
  InvalidArgumentError,
  type SandboxApiOpts,
  type SandboxConnectOpts,
  SandboxError,
  type SandboxInfo,
  type SandboxListOpts,
  SandboxNotFoundError,
  type SandboxOpts,
  type SandboxPauseOpts,
  type SandboxState,
} from "@e2b/code-interpreter";
import { type CommandScript, FakeSandbox, type RecordedCall } from "./fake-sandbox.ts";
import type { E2BPaginator, E2BSdk } from "./sdk.ts";

export { type CommandScript, FakeProcess, FakeSandbox, type ProcessContext } from "./fake-sandbox.ts";

export interface FakeTemplate {
  /** Directories the image has besides the base system's (/home/user, /root, /tmp). */
  dirs: string[];
  cpuCount: number;
  memoryMB: number;
}

interface Lifecycle {
  created: Date;
  endAt: Date;
  opts: SandboxOpts;
}

/** E2B's base template: 2 vCPUs, 512 MiB, nothing of the studio's installed. */
const BASE_TEMPLATE: FakeTemplate = { dirs: [], cpuCount: 2, memoryMB: 512 };

export class FakeE2BSdk implements E2BSdk {
  readonly calls: RecordedCall[] = [];
  readonly sandboxes = new Map<string, FakeSandbox>();
  readonly templates = new Map<string, FakeTemplate>([["base", BASE_TEMPLATE]]);
  /** The API's page size for `list` (its `limit`). */
  pageSize = 100;
  script: CommandScript | undefined;
  /** Requests the proxy (`fetch`) answered, for assertions. */
  readonly requests: Array<{ url: string; authorization: string | null; status: number }> = [];
  readonly #lifecycle = new Map<string, Lifecycle>();
  #next = 1;

  record(target: string, method: string, args: unknown[]): void {
    this.calls.push({ target, method, args });
  }

  /** Calls of one method (e.g. "commands.run") in order. */
  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  async create(template: string, opts?: SandboxOpts): Promise<FakeSandbox> {
    this.record("sdk", "create", [template, opts]);
    const image = this.templates.get(template);
    if (!image)
      throw Object.assign(new SandboxError(`404: template '${template}' not found`), { statusCode: 404 });
    const onTimeout = opts?.lifecycle?.onTimeout;
    const action = typeof onTimeout === "object" ? onTimeout.action : (onTimeout ?? "kill");
    if (opts?.lifecycle?.autoResume && action !== "pause")
      throw new InvalidArgumentError("autoResume can only be true when onTimeout action is 'pause'.");
    const domain = opts?.domain || process.env.E2B_DOMAIN || "e2b.app";
    const sandbox = new FakeSandbox(
      `sbx${this.#next++}`,
      template,
      domain,
      { ...opts?.envs },
      { ...opts?.metadata },
      this,
      () => this.script,
    );
    for (const dir of image.dirs) sandbox.mkdirs(dir);
    this.sandboxes.set(sandbox.sandboxId, sandbox);
    const created = new Date();
    this.#lifecycle.set(sandbox.sandboxId, {
      created,
      endAt: new Date(created.getTime() + (opts?.timeoutMs ?? 300_000)),
      opts: opts ?? {},
    });
    return sandbox;
  }

  async connect(sandboxId: string, opts?: SandboxConnectOpts): Promise<FakeSandbox> {
    this.record("sdk", "connect", opts === undefined ? [sandboxId] : [sandboxId, opts]);
    const sandbox = this.#existing(sandboxId, `Paused sandbox ${sandboxId} not found`);
    sandbox.state = "running";
    // Without timeoutMs the API resets the TTL to 5 minutes.
    this.#lifecycle.get(sandboxId)!.endAt = new Date(Date.now() + (opts?.timeoutMs ?? 300_000));
    return sandbox;
  }

  list(opts?: SandboxListOpts): E2BPaginator {
    this.record("sdk", "list", opts === undefined ? [] : [opts]);
    const wanted = opts?.query?.metadata ?? {};
    const states: SandboxState[] = opts?.query?.state ?? ["running", "paused"];
    const matching = [...this.sandboxes.values()].filter(
      (sandbox) =>
        sandbox.state !== "killed" &&
        states.includes(sandbox.state as SandboxState) &&
        Object.entries(wanted).every(([key, value]) => sandbox.metadata[key] === value),
    );
    const limit = opts?.limit ?? this.pageSize;
    let offset = 0;
    let hasNext = true;
    const sdk = this;
    return {
      get hasNext() {
        return hasNext;
      },
      async nextItems() {
        if (!hasNext) throw new Error("No more items to fetch");
        sdk.record("sdk", "list.nextItems", [offset]);
        const page = matching.slice(offset, offset + limit);
        offset += page.length;
        // The API sends x-next-token only when a further page exists.
        hasNext = offset < matching.length;
        return page.map((sandbox) => sdk.#info(sandbox));
      },
    };
  }

  async getInfo(sandboxId: string, opts?: SandboxApiOpts): Promise<SandboxInfo> {
    this.record("sdk", "getInfo", opts === undefined ? [sandboxId] : [sandboxId, opts]);
    return this.#info(this.#existing(sandboxId, `Sandbox ${sandboxId} not found`));
  }

  async setTimeout(sandboxId: string, timeoutMs: number, opts?: SandboxApiOpts): Promise<void> {
    this.record(
      "sdk",
      "setTimeout",
      opts === undefined ? [sandboxId, timeoutMs] : [sandboxId, timeoutMs, opts],
    );
    const sandbox = this.#existing(sandboxId, `Sandbox ${sandboxId} not found`);
    // The timeout endpoint knows running sandboxes only.
    if (sandbox.state !== "running") throw new SandboxNotFoundError(`Sandbox ${sandboxId} not found`);
    this.#lifecycle.get(sandboxId)!.endAt = new Date(Date.now() + timeoutMs);
  }

  async pause(sandboxId: string, opts?: SandboxPauseOpts): Promise<boolean> {
    this.record("sdk", "pause", opts === undefined ? [sandboxId] : [sandboxId, opts]);
    const sandbox = this.#existing(sandboxId, `Sandbox ${sandboxId} not found`);
    if (sandbox.state === "paused") return false; // the API's 409
    sandbox.freeze();
    return true;
  }

  async kill(sandboxId: string, opts?: SandboxApiOpts): Promise<boolean> {
    this.record("sdk", "kill", opts === undefined ? [sandboxId] : [sandboxId, opts]);
    const sandbox = this.sandboxes.get(sandboxId);
    if (!sandbox || sandbox.state === "killed") return false; // the API's 404
    sandbox.destroy();
    return true;
  }

  /** What E2B does on its own when a TTL with onTimeout "pause" expires (or a plan's cap hits). */
  autoPause(sandboxId: string): void {
    this.#existing(sandboxId, `Sandbox ${sandboxId} not found`).freeze();
  }

  /** E2B's public proxy in front of every sandbox port: `https://<port>-<id>.<domain>/…`. */
  readonly fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const url = new URL(input);
    const match = /^(\d+)-([^.]+)\.(.+)$/.exec(url.hostname);
    const sandbox = match ? this.sandboxes.get(match[2]!) : undefined;
    const entry = sandbox && match?.[3] === sandbox.domain ? sandbox.ports.get(Number(match[1])) : undefined;
    const response =
      sandbox?.state === "running" && entry
        ? await entry.handler(new Request(url, init))
        : // Paused, gone, or nothing listening: the proxy's 502.
          Response.json(
            { message: "The sandbox is not running or the port is not open", code: 502 },
            { status: 502 },
          );
    this.requests.push({
      url: input,
      authorization: new Headers(init?.headers).get("authorization"),
      status: response.status,
    });
    return response;
  };

  #existing(sandboxId: string, message: string): FakeSandbox {
    const sandbox = this.sandboxes.get(sandboxId);
    if (!sandbox || sandbox.state === "killed") throw new SandboxNotFoundError(message);
    return sandbox;
  }

  #info(sandbox: FakeSandbox): SandboxInfo {
    const lifecycle = this.#lifecycle.get(sandbox.sandboxId)!;
    const image = this.templates.get(sandbox.templateId) ?? BASE_TEMPLATE;
    const onTimeout = lifecycle.opts.lifecycle?.onTimeout;
    return {
      sandboxId: sandbox.sandboxId,
      templateId: sandbox.templateId,
      metadata: { ...sandbox.metadata },
      startedAt: lifecycle.created,
      endAt: lifecycle.endAt,
      state: sandbox.state as SandboxState,
      cpuCount: image.cpuCount,
      memoryMB: image.memoryMB,
      envdVersion: "0.5.7",
      allowInternetAccess: lifecycle.opts.allowInternetAccess,
      lifecycle: {
        onTimeout: typeof onTimeout === "object" ? onTimeout.action : (onTimeout ?? "kill"),
        autoResume: lifecycle.opts.lifecycle?.autoResume ?? false,
      },
      sandboxDomain: sandbox.domain,
    };
  }
}
