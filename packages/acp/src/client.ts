// ACP over sandbox-agent's HTTP transport, for one ACP server (one agent process):
// JSON-RPC goes out as `POST /v1/acp/{serverId}`, everything the agent says comes back on ONE
// SSE stream, `GET /v1/acp/{serverId}`. A request's response arrives twice (POST body and SSE);
// whichever comes first settles the request. The SSE copy is the one that always arrives: a POST
// can outlive sandbox-agent's own request timeout or undici's 300 s header timeout and never
// get its body, so a POST that fails after it may have been delivered keeps waiting for SSE.
import { type Logger, silentLogger } from "@studio/models";
import { DEFAULT_AGENT } from "@studio/models/lists";
import { AcpClosedError, AgentExitedError, errorFromProblem } from "./errors.ts";
import { parseInbound } from "./inbound.ts";
import { classify, type JsonRpcErrorObject, type JsonRpcId, type JsonRpcResponse } from "./jsonrpc.ts";
import { PendingRequests } from "./pending.ts";
import { AsyncQueue } from "./queue.ts";
import { readBody, SseStream } from "./sse.ts";
import type {
  AcpClientOptions,
  AcpContentBlock,
  AcpInbound,
  InitializeResult,
  LoadSessionResult,
  NewSessionResult,
  PermissionOutcome,
  PromptResult,
  RequestOptions,
} from "./types.ts";

export type { AcpClientOptions, RequestOptions } from "./types.ts";

/** Errors that prove a POST never reached the server, so no SSE copy will ever come. */
const NOT_DELIVERED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
/**
 * A DELETE failing with these met no server: the connection was refused or closed unanswered, or
 * (a sandbox reached through its socket) the socket is gone or its forwarder found nothing behind it.
 */
const SERVER_GONE = new Set(["ECONNREFUSED", "ECONNRESET", "UND_ERR_SOCKET", "EPIPE", "ENOENT"]);

export class AcpClient {
  readonly serverId: string;
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch;
  readonly #log: Logger;
  readonly #options: AcpClientOptions;
  readonly #pending = new PendingRequests();
  readonly #queue = new AsyncQueue<AcpInbound>();
  readonly #stream: SseStream;
  #nextId: number;
  #streamStarted = false;
  #closed = false;
  #exited: AgentExitedError | null = null;
  /** The consumer gets one `agent_exited` item, whichever side noticed first. */
  #exitDelivered = false;

  constructor(options: AcpClientOptions) {
    this.#options = options;
    this.serverId = options.serverId;
    this.#url = `${options.baseUrl.replace(/\/+$/, "")}/v1/acp/${encodeURIComponent(options.serverId)}`;
    this.#headers = options.token ? { authorization: `Bearer ${options.token}` } : {};
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#log = options.logger ?? silentLogger;
    this.#nextId = options.firstRequestId ?? 1 + Math.floor(Math.random() * 2 ** 40);
    const start = options.lastEventId;
    this.#stream = new SseStream({
      url: this.#url,
      headers: this.#headers,
      fetch: this.#fetch,
      logger: this.#log,
      lastEventId: start === undefined || start === null || start === "" ? null : Number(start),
      initialDelayMs: options.reconnect?.initialDelayMs ?? 250,
      maxDelayMs: options.reconnect?.maxDelayMs ?? 10_000,
      idleTimeoutMs: options.reconnect?.idleTimeoutMs ?? 45_000,
      onEvent: (eventId, data) => this.#onStreamEvent(eventId, data),
      onFatal: (error) => this.#onStreamFatal(error),
    });
  }

  /** The SSE id of the last message delivered; persist it to re-attach with `lastEventId`. */
  get lastEventId(): number | null {
    return this.#stream.lastEventId;
  }

  /**
   * Delivers the stream again from just after `eventId` (null: from the server's whole buffer):
   * messages not yet consumed are dropped and the stream reconnects with that `Last-Event-ID`.
   * sandbox-agent keeps its last 1024 messages, so a consumer that lost what it was given (its
   * store went away) gets it back once, in order, as long as no more than that came meanwhile.
   */
  rewind(eventId: string | number | null): void {
    if (this.#closed) return;
    this.#queue.clear();
    this.#stream.rewind(eventId === null || eventId === "" ? null : Number(eventId));
  }

  get agentExited(): boolean {
    return this.#exited !== null;
  }

  /**
   * Every notification, agent request, response copy and agent exit, in stream order. One
   * consumer; breaking out of a loop keeps the buffer, so iterating again resumes. Ends on
   * close(); throws when the server refuses the stream for good (e.g. 404 unknown server).
   */
  messages(): AsyncIterableIterator<AcpInbound> {
    return this.#queue;
  }

  /** Opens the stream now (re-attaching). Otherwise it opens after the first accepted POST. */
  start(): void {
    if (this.#closed || this.#streamStarted) return;
    this.#streamStarted = true;
    this.#stream.start();
  }

  async initialize(options?: RequestOptions): Promise<InitializeResult> {
    const result = await this.request<InitializeResult>(
      "initialize",
      {
        protocolVersion: 1,
        clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
        clientInfo: this.#options.clientInfo ?? { name: "studio", version: "0" },
      },
      options,
    );
    if (result.protocolVersion !== 1)
      this.#log.warn({ result }, "acp: agent negotiated another protocol version");
    return result;
  }

  newSession(cwd: string, mcpServers: unknown[] = [], options?: RequestOptions): Promise<NewSessionResult> {
    return this.request<NewSessionResult>("session/new", { cwd, mcpServers }, options);
  }

  /** Replays the session's history as session/update notifications, then resolves. */
  loadSession(
    sessionId: string,
    cwd: string,
    mcpServers: unknown[] = [],
    options?: RequestOptions,
  ): Promise<LoadSessionResult> {
    return this.request<LoadSessionResult>("session/load", { sessionId, cwd, mcpServers }, options);
  }

  prompt(sessionId: string, prompt: AcpContentBlock[], options: RequestOptions = {}): Promise<PromptResult> {
    const timeoutMs = options.timeoutMs ?? this.#options.promptTimeoutMs ?? 6 * 60 * 60 * 1000;
    return this.request<PromptResult>("session/prompt", { sessionId, prompt }, { ...options, timeoutMs });
  }

  cancel(sessionId: string): Promise<void> {
    return this.notify("session/cancel", { sessionId });
  }

  async setMode(sessionId: string, modeId: string, options?: RequestOptions): Promise<void> {
    await this.request("session/set_mode", { sessionId, modeId }, options);
  }

  /** Answers an agent's `session/request_permission` (a JSON-RPC result; sandbox-agent says 202). */
  respondPermission(requestId: JsonRpcId, outcome: PermissionOutcome): Promise<void> {
    return this.respond(requestId, { outcome });
  }

  respond(requestId: JsonRpcId, result: unknown): Promise<void> {
    return this.#send({ jsonrpc: "2.0", id: requestId, result });
  }

  /** Refuses an agent request the studio does not implement, so the agent does not wait forever. */
  respondError(requestId: JsonRpcId, error: JsonRpcErrorObject): Promise<void> {
    return this.#send({ jsonrpc: "2.0", id: requestId, error });
  }

  notify(method: string, params: unknown): Promise<void> {
    return this.#send({ jsonrpc: "2.0", method, params });
  }

  request<T = unknown>(method: string, params: unknown, options: RequestOptions = {}): Promise<T> {
    if (this.#closed) return Promise.reject(new AcpClosedError("ACP client is closed"));
    if (this.#exited) return Promise.reject(this.#exited);
    const id = this.#nextId++;
    options.onId?.(id);
    const post = new AbortController();
    const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs ?? 5 * 60 * 1000;
    // Once either copy settled it, the POST body is not needed: drop the connection.
    const settled = this.#pending.open(id, {
      method,
      timeoutMs,
      signal: options.signal,
      onSettled: () => post.abort(),
    });
    // Only initialize names the agent: a later POST without it gets a clean 400 if sandbox-agent
    // lost this server (restart) instead of silently spawning a fresh, uninitialised agent.
    const query =
      method === "initialize" ? `?agent=${encodeURIComponent(this.#options.agent ?? DEFAULT_AGENT)}` : "";
    this.#postRequest(id, method, { jsonrpc: "2.0", id, method, params }, query, post.signal);
    return settled as Promise<T>;
  }

  /**
   * Stops the stream and rejects what is pending, leaving the agent process running: another
   * client (a replica that took the session over, or the next start) goes on with it. Never throws.
   */
  async detach(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending.rejectAll(new AcpClosedError("ACP client closed"));
    await this.#stream.stop();
    this.#queue.end();
  }

  /** Stops the stream, rejects what is pending, and ends the agent process. Never throws. */
  async close(): Promise<void> {
    if (this.#closed) return;
    // Stop reading first: an open stream keeps sandbox-agent's handle on the agent alive.
    await this.detach();
    const abort = AbortSignal.timeout(this.#options.closeTimeoutMs ?? 2000);
    try {
      const response = await this.#fetch(this.#url, {
        method: "DELETE",
        headers: this.#headers,
        signal: abort,
      });
      await response.body?.cancel();
    } catch (error) {
      // Expected in 0.4.2: DELETE only returns once the agent is gone; aborting it closes stdin.
      if (abort.aborted) return;
      // A server that is gone (its sandbox ended first, as at shutdown) took the agent with it.
      const code = (error as { cause?: { code?: string } })?.cause?.code;
      if (code && SERVER_GONE.has(code)) this.#log.debug({ code }, "acp: DELETE found the server gone");
      else this.#log.warn({ err: error }, "acp: DELETE failed");
    }
  }

  #postRequest(id: number, method: string, body: unknown, query: string, signal: AbortSignal): void {
    this.#post(body, query, signal).then(
      ({ status, body: reply }) => {
        if (status === 200 && classify(reply) === "response") {
          this.#pending.settle(reply as JsonRpcResponse);
        } else if (status === 504) {
          this.#log.warn({ method }, "acp: POST timed out server-side; waiting for the SSE copy");
        } else if (status >= 400) {
          return this.#pending.reject(id, this.#noteExit(errorFromProblem(status, reply)));
        }
        this.#ensureStream();
      },
      (error: unknown) => {
        if (signal.aborted) return; // settled by the SSE copy, timed out, or aborted by the caller
        const code = (error as { cause?: { code?: string } })?.cause?.code;
        if (code && NOT_DELIVERED.has(code)) return this.#pending.reject(id, error);
        this.#log.warn({ err: error, method }, "acp: POST failed after sending; waiting for the SSE copy");
        this.#ensureStream();
      },
    );
  }

  /** Sends a message that gets no JSON-RPC response (notification, reply to the agent). */
  async #send(body: unknown): Promise<void> {
    if (this.#closed) throw new AcpClosedError("ACP client is closed");
    const { status, body: reply } = await this.#post(body, "", undefined);
    if (status >= 400) throw this.#noteExit(errorFromProblem(status, reply));
  }

  async #post(body: unknown, query: string, signal: AbortSignal | undefined) {
    const response = await this.#fetch(this.#url + query, {
      method: "POST",
      headers: { ...this.#headers, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      signal,
    });
    return { status: response.status, body: await readBody(response) };
  }

  #ensureStream(): void {
    if (!this.#streamStarted) this.start();
  }

  #onStreamEvent(eventId: string, data: string): void {
    const item = parseInbound(eventId, data);
    if (!item) {
      this.#log.warn({ eventId, data: data.slice(0, 200) }, "acp: SSE message is not JSON-RPC");
      return;
    }
    if (item.type === "response") {
      item.method = this.#pending.takeLabel(item.id);
      this.#pending.settle(item.message);
    } else if (item.type === "agent_exited") {
      if (this.#exitDelivered) return; // already told, from a failed POST
      this.#exitDelivered = true;
      this.#noteExit(new AgentExitedError(`agent process exited (code ${item.exitCode})`, item.exitCode));
    }
    this.#queue.push(item);
  }

  #onStreamFatal(error: Error): void {
    this.#pending.rejectAll(error);
    this.#queue.end(error);
  }

  /** Remembers that the agent is gone, so pending and later requests fail fast with the same error. */
  #noteExit(error: Error): Error {
    if (!(error instanceof AgentExitedError)) return error;
    this.#exited ??= error;
    this.#pending.rejectAll(error);
    if (!this.#exitDelivered) {
      // A POST found the agent dead before the stream said so (or while the stream is down):
      // tell the consumer now, once. The SSE id does not move: nothing new came off the stream.
      this.#exitDelivered = true;
      const message = {
        jsonrpc: "2.0" as const,
        method: "_adapter/agent_exited",
        params: { code: null, success: false },
      };
      const eventId = String(this.lastEventId ?? "");
      this.#queue.push({ type: "agent_exited", eventId, exitCode: null, success: false, message });
    }
    return error;
  }
}
