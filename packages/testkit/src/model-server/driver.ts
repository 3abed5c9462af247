import { once } from "node:events";
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { FormatHandler, RequestContext } from "./formats/common.ts";
import { type Action, collect, type Plan } from "./script.ts";

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** Resolves once the server has received a title request. */
export type TitleSeen = Promise<void>;

/** Waits out a delay or an awaited title, whichever the action is; false for other actions. */
async function pause(action: Action, signal: AbortSignal, titleSeen: TitleSeen): Promise<boolean> {
  if (action.kind === "delay") await sleep(action.ms, undefined, { signal });
  else if (action.kind === "awaitTitle") {
    // The timer ends with the wait, whichever way it ends.
    const waited = new AbortController();
    const timer = sleep(action.ms, undefined, { signal: AbortSignal.any([signal, waited.signal]) });
    await Promise.race([titleSeen, timer]).finally(() => waited.abort());
  } else return false;
  return true;
}

/** Plays a plan as a streamed response. Returns early (silently) when the client goes away. */
async function stream(
  res: ServerResponse,
  signal: AbortSignal,
  handler: FormatHandler,
  ctx: RequestContext,
  plan: Plan,
  titleSeen: TitleSeen,
): Promise<void> {
  const encoder = handler.createEncoder(ctx);
  const write = async (data: string) => {
    if (data === "" || signal.aborted) return;
    // Respect backpressure so that thousands of chunks to a slow reader do not pile up in memory.
    if (!res.write(data)) await once(res, "drain", { signal });
  };
  // Paces only what reaches the wire: Google sends tool arguments whole, so their chunks write nothing.
  const writePaced = async (data: string) => {
    await write(data);
    if (data !== "" && plan.chunkDelayMs > 0) await sleep(plan.chunkDelayMs, undefined, { signal });
  };
  // Headers go out with the first output, so that a leading error step can still be an HTTP error
  // and a leading delay is a delay before the response starts.
  const open = async () => {
    if (res.headersSent) return;
    res.writeHead(200, {
      "content-type": handler.streamContentType(ctx.url),
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    res.flushHeaders();
    await write(encoder.start(plan.usage));
  };

  for (const action of plan.actions) {
    if (signal.aborted) return;
    if (await pause(action, signal, titleSeen)) continue;
    switch (action.kind) {
      case "hang":
        await open();
        await untilAborted(signal);
        return;
      case "error":
        if (!res.headersSent) {
          sendJson(res, action.status, action.body ?? handler.errorBody(action.status, action.message));
          return;
        }
        await write(encoder.error(action.status, action.message));
        res.end();
        return;
      case "reasoning":
      case "text":
        await open();
        for (const chunk of action.chunks) {
          await writePaced(action.kind === "text" ? encoder.text(chunk) : encoder.reasoning(chunk));
        }
        break;
      case "toolCalls":
        await open();
        for (const call of action.calls) {
          await write(encoder.toolCallStart(call));
          for (const chunk of call.argumentChunks) await writePaced(encoder.toolCallDelta(call, chunk));
          await write(encoder.toolCallEnd(call));
        }
        break;
    }
  }
  await open();
  await write(encoder.finish(plan.finishReason, plan.usage));
  res.end();
}

async function respondWhole(
  res: ServerResponse,
  signal: AbortSignal,
  handler: FormatHandler,
  ctx: RequestContext,
  plan: Plan,
  titleSeen: TitleSeen,
): Promise<void> {
  for (const action of plan.actions) {
    await pause(action, signal, titleSeen);
    if (action.kind === "hang") return untilAborted(signal);
    if (action.kind === "error") {
      return sendJson(res, action.status, action.body ?? handler.errorBody(action.status, action.message));
    }
  }
  sendJson(res, 200, handler.nonStreamBody(ctx, collect(plan.actions), plan.finishReason, plan.usage));
}

export async function playReply(
  res: ServerResponse,
  signal: AbortSignal,
  handler: FormatHandler,
  ctx: RequestContext,
  plan: Plan,
  streamed: boolean,
  titleSeen: TitleSeen,
): Promise<void> {
  try {
    if (streamed) await stream(res, signal, handler, ctx, plan, titleSeen);
    else await respondWhole(res, signal, handler, ctx, plan, titleSeen);
  } catch (error) {
    // A client that disconnects mid-delay or mid-drain is an expected part of cancel tests.
    if (!signal.aborted) throw error;
  }
}
