import { createParser } from "eventsource-parser";

/** Reads an SSE response, calling `onEvent` per message, until the signal aborts. */
export async function readSse(
  url: string,
  headers: Record<string, string>,
  onEvent: (data: string, id: string | undefined) => void,
  signal: AbortSignal,
): Promise<void> {
  const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal });
  if (!response.ok || !response.body) throw new Error(`SSE ${url}: ${response.status}`);
  const parser = createParser({ onEvent: (event) => onEvent(event.data, event.id) });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body)
      parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}
