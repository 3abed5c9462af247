// OpenCode's own HTTP API (the agent runs as `opencode acp --port P`): what ACP does not carry.
// Questions are answered there, and a message's settled text is read there. Requests name the
// session's cwd as `directory`: OpenCode scopes what it lists by it.
import { AcpHttpError } from "./errors.ts";
import { readBody } from "./sse.ts";

export interface OpencodeApiOptions {
  /** OpenCode's HTTP API as the studio server reaches it, e.g. http://127.0.0.1:4096 */
  opencodeUrl: string;
  /** The ACP session's cwd. */
  directory: string;
  fetch?: typeof fetch;
  /** Extra headers (e.g. basic auth when OPENCODE_SERVER_PASSWORD is set). */
  headers?: Record<string, string>;
  /** Bounds each request (default: none). */
  timeoutMs?: number;
}

export class OpencodeApi {
  readonly #base: string;
  readonly #fetch: typeof fetch;

  constructor(private readonly options: OpencodeApiOptions) {
    this.#base = options.opencodeUrl.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** `path` is made of already-encoded segments, e.g. `/question/<id>/reply`. */
  async call(method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: "application/json", ...this.options.headers };
    if (body !== undefined) headers["content-type"] = "application/json";
    const url = `${this.#base}${path}?directory=${encodeURIComponent(this.options.directory)}`;
    const response = await this.#fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      ...(this.options.timeoutMs ? { signal: AbortSignal.timeout(this.options.timeoutMs) } : {}),
    });
    const reply = await readBody(response);
    if (!response.ok) {
      const detail = typeof reply === "string" ? reply : JSON.stringify(reply);
      throw new AcpHttpError(response.status, "opencode_api", detail, reply);
    }
    return reply;
  }
}
