// A plain SSE reader (node:http and eventsource-parser) for the benchmark's subscribers. The relay's
// direct and studio subscribers both use it, so neither pays for machinery the other does not; it
// is also far lighter than a browser-like client, so 150 of them leave the machine to the studio.
import http from "node:http";
import { createParser } from "eventsource-parser";

export interface SseMessage {
  data: string;
  id?: string | undefined;
  event?: string | undefined;
}

/**
 * Reads an SSE response, calling `onEvent` per message, until the signal aborts; `onOpen` once
 * the response headers arrived.
 */
export function readSse(
  url: string,
  headers: Record<string, string>,
  onEvent: (message: SseMessage) => void,
  signal: AbortSignal,
  onOpen: () => void = () => {},
  /** A Unix socket to connect to instead of the URL's host (a sandbox's private socket). */
  socketPath?: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      url,
      { headers: { accept: "text/event-stream", ...headers }, signal, ...(socketPath ? { socketPath } : {}) },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`SSE ${url}: ${response.statusCode}`));
          return;
        }
        onOpen();
        const parser = createParser({ onEvent: (event) => onEvent(event) });
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => parser.feed(chunk));
        response.on("end", () => resolve());
        response.on("error", (error) => (signal.aborted ? resolve() : reject(error)));
      },
    );
    request.on("error", (error) => (signal.aborted ? resolve() : reject(error)));
  });
}

/**
 * The URL of the studio's `sessions.events` subscription, as tRPC's SSE link builds it: the input
 * in superjson's envelope. Events arrive as `data: {"json": event, "meta": …}` with `id: <seq>`.
 */
export function studioEventsUrl(studioUrl: string, sessionId: string, lastEventId: string | null): string {
  const input = encodeURIComponent(JSON.stringify({ json: { sessionId, lastEventId } }));
  return `${studioUrl.replace(/\/+$/, "")}/api/trpc/sessions.events?input=${input}`;
}
