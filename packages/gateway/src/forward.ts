// Sends a call to the provider and streams the answer back to the sandbox as it arrives, with
// backpressure both ways: a slow sandbox pauses the provider's stream, a sandbox that hangs up
// aborts it. undici's dispatcher is the client: it keeps connections to each provider alive and
// costs a fraction of `http.request` per call, which is most of what the gateway adds.
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { Agent, type buildConnector, type Dispatcher } from "undici";

// Hop-by-hop headers (RFC 9110 §7.6.1) are the gateway's own business, not the provider's.
const DROPPED_RESPONSE_HEADERS = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);

/**
 * Reasoning models can think for minutes before their first byte and pause long between chunks;
 * the sandbox's own client decides when it has waited long enough.
 */
const UPSTREAM_TIMEOUT_MS = 15 * 60_000;

/** How long the provider's headers wait for its first chunk to leave with it. */
const HEADERS_ALONE_AFTER_MS = 20;

/** A client for model calls; `connect` replaces how it opens connections (see tenant-network.ts). */
export function newUpstreamAgent(connect?: buildConnector.connector): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    headersTimeout: UPSTREAM_TIMEOUT_MS,
    bodyTimeout: UPSTREAM_TIMEOUT_MS,
    ...(connect ? { connect } : {}),
  });
}

const upstreamAgent = newUpstreamAgent();

function passHopByHop(headers: IncomingHttpHeaders) {
  const forwarded: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !DROPPED_RESPONSE_HEADERS.has(name)) forwarded[name] = value;
  }
  return forwarded;
}

/**
 * The provider answered with a redirect. It is not followed (it could point anywhere, a private
 * address included) nor passed on (the sandbox's client would follow it).
 */
export class UpstreamRedirectError extends Error {
  override name = "UpstreamRedirectError";
  constructor(readonly status: number) {
    super(`The model provider answered with a redirect (HTTP ${status}), which the studio does not follow.`);
  }
}

export interface UpstreamCall {
  url: URL;
  method: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** The client to send it with; by default one for the platform's own upstreams. */
  dispatcher?: Dispatcher;
}

export interface ForwardHooks {
  /** Headers the gateway adds to the provider's. */
  responseHeaders: Record<string, string>;
  /**
   * Decides on the provider's answer before any of it is sent: which of its headers to pass on, or
   * an error that refuses it (reported through onUnreachable, like a redirect). Without it, every
   * header but the hop-by-hop ones is passed on.
   */
  admit?(status: number, headers: IncomingHttpHeaders): Record<string, string | string[]> | Error;
  /** The provider's content type, before the first chunk. */
  onResponse(contentType: string | undefined): void;
  /** Each chunk of the answer, just after it is passed on. */
  onChunk(chunk: Buffer): void;
  /**
   * The call is over, once: the answer ended, the sandbox hung up, or the provider's stream broke
   * after it began. Not called when the provider could not be reached at all.
   */
  onSettled(status: number): void;
  /**
   * The provider could not be reached, or answered with a redirect (UpstreamRedirectError);
   * nothing was sent to the sandbox yet.
   */
  onUnreachable(error: Error): void;
}

export function forwardCall(call: UpstreamCall, res: ServerResponse, hooks: ForwardHooks): void {
  let status = 0;
  let settled = false;
  let controller: Dispatcher.DispatchController | null = null;
  let headersAlone: NodeJS.Timeout | undefined;
  const settle = () => {
    clearTimeout(headersAlone);
    meter();
    if (settled || status === 0) return;
    settled = true;
    hooks.onSettled(status);
  };
  // The sandbox hung up (a cancelled turn, say): stop paying for the provider's stream too.
  res.once("close", () => {
    if (!res.writableFinished) controller?.abort(new Error("the sandbox hung up"));
    settle();
  });
  res.on("drain", () => controller?.resume());
  // Chunks parsed from one read of the provider's socket leave in one write at the end of the tick,
  // not a write each (on loopback a write costs far more than the copy); they are read for usage
  // after they left, so metering never delays the sandbox.
  let unmetered: Buffer[] = [];
  const meter = () => {
    for (const chunk of unmetered) hooks.onChunk(chunk);
    unmetered = [];
  };
  let corked = false;
  const flush = () => {
    corked = false;
    res.uncork();
    meter();
  };

  (call.dispatcher ?? upstreamAgent).dispatch(
    {
      origin: call.url.origin,
      path: `${call.url.pathname}${call.url.search}`,
      method: call.method as Dispatcher.HttpMethod,
      headers: call.headers,
      body: call.body,
    },
    {
      onRequestStart(started) {
        controller = started;
        if (res.destroyed) started.abort(new Error("the sandbox hung up"));
      },
      onResponseStart(started, statusCode, headers) {
        // Aborted with the status still 0, so onResponseError reports it as unreachable.
        if (statusCode >= 300 && statusCode < 400)
          return started.abort(new UpstreamRedirectError(statusCode));
        const admitted = hooks.admit ? hooks.admit(statusCode, headers) : passHopByHop(headers);
        if (admitted instanceof Error) return started.abort(admitted);
        const forwarded = { ...admitted, ...hooks.responseHeaders };
        status = statusCode;
        const contentType = headers["content-type"];
        hooks.onResponse(Array.isArray(contentType) ? contentType[0] : contentType);
        res.writeHead(statusCode, forwarded);
        // The headers leave with the first chunk, in one write, when it comes soon; a provider
        // slow to say anything (a model thinking) has its headers passed on alone, so the sandbox
        // knows its call was taken. (`res.headersSent` is true from here on: it means written.)
        headersAlone = setTimeout(() => {
          if (!res.destroyed) res.flushHeaders();
        }, HEADERS_ALONE_AFTER_MS);
      },
      onResponseData(paused, chunk) {
        clearTimeout(headersAlone);
        if (!corked) {
          corked = true;
          res.cork();
          process.nextTick(flush);
        }
        unmetered.push(chunk);
        if (!res.write(chunk)) paused.pause();
      },
      onResponseEnd() {
        res.end();
        settle();
      },
      onResponseError(_controller, error) {
        if (status === 0) {
          // Aborted because the sandbox left: nobody to tell.
          if (!res.destroyed) hooks.onUnreachable(error);
          return;
        }
        // Broken after it began: what was streamed is recorded; the sandbox sees the cut.
        settle();
        res.destroy(error);
      },
    },
  );
}
