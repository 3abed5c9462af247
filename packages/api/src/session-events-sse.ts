// `sessions.events` over SSE without tRPC's web-stream pipeline. tRPC's SSE producer sends each
// event of each subscriber through an async generator with a ping timer, a ReadableStream, two
// TransformStreams (the SSE lines, then TextEncoderStream) and a WritableStream: in the capacity
// benchmark that pipeline and its garbage were about two thirds of the studio's CPU while it fanned
// events out. This writes the same bytes straight to the response: the procedure (middlewares,
// input, checks, `followEvents`) runs through tRPC's caller as before, each event's SSE line is
// serialised once and shared by every subscriber it reaches, and the events a subscriber gets in
// one tick leave in one socket write. Anything that is not a plain `sessions.events` GET, and any
// error before the stream starts, is left to tRPC's own handler, so errors look exactly as before.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  getErrorShape,
  getTRPCErrorFromUnknown,
  isTrackedEnvelope,
} from "@trpc/server/unstable-core-do-not-import";
import superjson from "superjson";
import type { Context } from "./context.ts";
import { appRouter, createCaller } from "./router.ts";

export const SESSION_EVENTS_PATH = "/api/trpc/sessions.events";

/** The `data:` line of a value, by the value (live events are one object for every subscriber). */
const dataLines = new WeakMap<object, string>();

function dataLine(value: unknown): string {
  const cached = typeof value === "object" && value !== null ? dataLines.get(value) : undefined;
  if (cached !== undefined) return cached;
  const line = `data: ${JSON.stringify(superjson.serialize(value))}\n`;
  if (typeof value === "object" && value !== null) dataLines.set(value, line);
  return line;
}

/** tRPC's SSE headers, as its HTTP handler sends them. */
const HEADERS: Record<string, string> = {
  vary: "trpc-accept, accept",
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
  connection: "keep-alive",
};

/** The subscription's input as tRPC reads it from a GET, or undefined when tRPC should handle it. */
function inputOf(req: IncomingMessage): { input: unknown } | undefined {
  if (req.method !== "GET" || req.headers.accept === "application/jsonl") return undefined;
  const url = new URL(req.url ?? "/", "http://studio");
  if (url.pathname !== SESSION_EVENTS_PATH || url.searchParams.has("batch")) return undefined;
  let input: unknown;
  try {
    const raw = url.searchParams.get("input");
    input = raw === null ? undefined : superjson.deserialize(JSON.parse(raw));
  } catch {
    return undefined;
  }
  const lastEventId =
    (req.headers["last-event-id"] as string | undefined) ??
    url.searchParams.get("lastEventId") ??
    url.searchParams.get("Last-Event-Id");
  if (lastEventId) {
    if (typeof input === "object" && input !== null && !Array.isArray(input))
      input = { ...input, lastEventId };
    else input ??= { lastEventId };
  }
  return { input };
}

/**
 * Serves a `sessions.events` request, or hands it to `fallback` (tRPC's handler) when it is not a
 * plain SSE GET or fails before its stream starts. `context` must give tRPC's handler the same
 * context (the server memoises it per request), so nothing runs twice but the procedure.
 */
export async function serveSessionEvents(
  req: IncomingMessage,
  res: ServerResponse,
  context: () => Promise<Context>,
  fallback: () => unknown,
): Promise<unknown> {
  const parsed = inputOf(req);
  if (!parsed) return fallback();
  const abort = new AbortController();
  const onClose = () => abort.abort();
  res.once("close", onClose);
  let ctx: Context;
  let iterable: AsyncIterable<unknown>;
  try {
    ctx = await context();
    const caller = createCaller(ctx, { signal: abort.signal });
    // biome-ignore lint/suspicious/noExplicitAny: the raw input is validated by the procedure.
    iterable = (await caller.sessions.events(parsed.input as any)) as AsyncIterable<unknown>;
  } catch {
    res.off("close", onClose);
    return fallback();
  }
  const resumed = (parsed.input as { lastEventId?: unknown } | undefined)?.lastEventId;
  const lastEventId = typeof resumed === "string" && !/[\0\n\r]/.test(resumed) ? resumed : null;
  await stream(res, iterable, abort.signal, lastEventId, (cause) => {
    const error = getTRPCErrorFromUnknown(cause);
    return getErrorShape({
      config: appRouter._def._config,
      ctx,
      error,
      input: parsed.input,
      path: "sessions.events",
      type: "subscription",
    });
  });
}

async function stream(
  res: ServerResponse,
  iterable: AsyncIterable<unknown>,
  signal: AbortSignal,
  resumedFrom: string | null,
  errorShape: (cause: unknown) => unknown,
) {
  const sse = appRouter._def._config.sse;
  res.writeHead(200, HEADERS);
  res.write(`event: connected\ndata: ${JSON.stringify(sse?.client ?? {})}\n\n\n`);
  const pingMs = sse?.ping?.enabled ? (sse.ping.intervalMs ?? 1000) : 0;
  const ping = pingMs > 0 ? setInterval(() => res.write("event: ping\ndata: \n\n\n"), pingMs) : null;
  const iterator = iterable[Symbol.asyncIterator]();
  let lastEventId = resumedFrom;
  try {
    for (;;) {
      const result = await iterator.next();
      if (result.done) {
        if (!signal.aborted) res.write("event: return\ndata: \n\n\n");
        break;
      }
      let message: string;
      if (isTrackedEnvelope(result.value)) {
        lastEventId = String(result.value[0]);
        message = `${dataLine(result.value[1])}id: ${lastEventId}\n\n\n`;
      } else if (lastEventId === null) {
        message = `${dataLine(result.value)}\n\n`;
      } else {
        // As tRPC: an untracked event clears the id, then an event nobody listens to restores it.
        message = `${dataLine(result.value)}id: \n\n\nevent: restore-id\ndata: \nid: ${lastEventId}\n\n\n`;
      }
      ping?.refresh();
      if (!res.write(message)) await drained(res);
      if (signal.aborted) break;
    }
  } catch (cause) {
    if (!signal.aborted) {
      res.write(
        `event: serialized-error\ndata: ${JSON.stringify(superjson.serialize(errorShape(cause)))}\n\n\n`,
      );
    }
  } finally {
    if (ping) clearInterval(ping);
    await iterator.return?.();
    res.end();
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}
