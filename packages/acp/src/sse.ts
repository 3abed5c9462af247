// The one SSE connection of an AcpClient: `GET /v1/acp/{serverId}` with reconnection.
// sandbox-agent numbers every message it broadcasts (`id: <seq>`) and keeps the last 1024 in a
// ring; `Last-Event-ID: N` replays only what came after N, no header replays the whole ring. So
// the stream resumes from the last seq it delivered, and anything at or below it is dropped: a
// message is never handed on twice in one process, whatever the server replays.
import type { Logger } from "@studio/models";
import { createParser } from "eventsource-parser";
import { errorFromProblem } from "./errors.ts";

export interface SseStreamOptions {
  url: string;
  headers: Record<string, string>;
  fetch: typeof fetch;
  logger: Logger;
  /** Resume after this seq (a replica re-attaching); null replays the server's whole buffer. */
  lastEventId: number | null;
  initialDelayMs: number;
  maxDelayMs: number;
  /** No byte (not even the 15 s heartbeat) for this long means a dead connection: reconnect. */
  idleTimeoutMs: number;
  onEvent(eventId: string, data: string): void;
  /** The server will never serve this stream again (404 unknown server, 401 bad token...). */
  onFatal(error: Error): void;
}

/** Statuses that no amount of reconnecting fixes. */
const FATAL_STATUSES = new Set([400, 401, 403, 404, 406]);

export class SseStream {
  #lastSeq: number | null;
  #stopped = false;
  readonly #stop = new AbortController();
  #connection: AbortController | null = null;
  #connected = false;
  #running: Promise<void> | null = null;
  /** Bumped by rewind(): whatever a connection opened before it still delivers is dropped. */
  #generation = 0;

  constructor(private readonly options: SseStreamOptions) {
    this.#lastSeq = options.lastEventId;
  }

  /** The seq of the last message delivered (what `Last-Event-ID` will carry on reconnect). */
  get lastEventId(): number | null {
    return this.#lastSeq;
  }

  get connected(): boolean {
    return this.#connected;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /**
   * Reads the stream again after `afterSeq` (null: the server's whole buffer): the current
   * connection is dropped and the next one asks for `Last-Event-ID: afterSeq`. For a consumer that
   * could not store what it was given (its database went away) and resumes from what it stored.
   */
  rewind(afterSeq: number | null): void {
    this.#generation += 1;
    this.#lastSeq = afterSeq;
    this.#connection?.abort();
  }

  /** Stops for good; resolves once the read loop has exited. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stop.abort();
    this.#connection?.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    let delay = this.options.initialDelayMs;
    while (!this.#stopped) {
      let progressed = false;
      try {
        progressed = await this.#connectOnce();
        if (!this.#stopped) this.options.logger.warn({ lastEventId: this.#lastSeq }, "acp sse: stream ended");
      } catch (error) {
        if (this.#stopped) break;
        if (error instanceof FatalStreamError) {
          // A 404 is the ACP server gone (deleted, or its sandbox-agent restarted): after a stop the
          // studio asked for, that is expected, and only the consumer, told through onFatal, knows
          // which it was. Other refusals (a bad token, a bad request) are the studio's own errors.
          if (isServerGone(error.cause))
            this.options.logger.debug({ err: error.cause }, "acp sse: the ACP server is gone");
          else this.options.logger.error({ err: error.cause }, "acp sse: stream refused for good");
          this.#stopped = true;
          this.options.onFatal(error.cause);
          break;
        }
        this.options.logger.warn({ err: error, lastEventId: this.#lastSeq }, "acp sse: stream dropped");
      }
      this.#connected = false;
      if (this.#stopped) break;
      // A connection that carried anything was healthy: start the backoff over.
      if (progressed) delay = this.options.initialDelayMs;
      await sleep(delay, this.#stop.signal);
      delay = Math.min(delay * 2, this.options.maxDelayMs);
    }
    this.#connected = false;
  }

  /** One connection's life. Resolves true when it carried at least one byte. */
  async #connectOnce(): Promise<boolean> {
    const connection = new AbortController();
    this.#connection = connection;
    const generation = this.#generation;
    const headers: Record<string, string> = { ...this.options.headers, accept: "text/event-stream" };
    if (this.#lastSeq !== null) headers["last-event-id"] = String(this.#lastSeq);
    const response = await this.options.fetch(this.options.url, { headers, signal: connection.signal });
    if (!response.ok || !response.body) {
      const body = await readBody(response);
      const error = errorFromProblem(response.status, body);
      if (FATAL_STATUSES.has(response.status)) throw new FatalStreamError(error);
      throw error;
    }
    this.#connected = true;
    this.options.logger.debug({ lastEventId: this.#lastSeq }, "acp sse: connected");

    const parser = createParser({
      onEvent: (event) => {
        if (generation === this.#generation) this.#handle(event.id, event.data);
      },
      onError: (error) => this.options.logger.warn({ err: error }, "acp sse: unparsable line"),
    });
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    let progressed = false;
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        this.options.logger.warn(
          { idleTimeoutMs: this.options.idleTimeoutMs },
          "acp sse: idle, reconnecting",
        );
        connection.abort();
      }, this.options.idleTimeoutMs);
    };
    try {
      armIdle();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        progressed = true;
        armIdle();
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } finally {
      clearTimeout(idle);
      connection.abort();
    }
    return progressed;
  }

  #handle(eventId: string | undefined, data: string): void {
    if (this.#stopped) return;
    const seq = eventId !== undefined && /^\d+$/.test(eventId) ? Number(eventId) : null;
    if (seq !== null && this.#lastSeq !== null) {
      if (seq <= this.#lastSeq) return; // replayed: already delivered
      if (seq !== this.#lastSeq + 1) {
        this.options.logger.warn({ expected: this.#lastSeq + 1, got: seq }, "acp sse: sequence gap");
      }
    }
    if (seq !== null) this.#lastSeq = seq;
    this.options.onEvent(eventId ?? "", data);
  }
}

function isServerGone(error: Error): boolean {
  return (error as { status?: number }).status === 404;
}

class FatalStreamError extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}

export async function readBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => "");
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
