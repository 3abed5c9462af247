import type { StudioEvent } from "@studio/acp/events";

/**
 * Merges runs of text chunks of the same message into one event. Pure; applied to each batch the
 * writer stores, so a fast stream costs fewer rows without changing what a reader sees.
 */
export function coalesceChunks(events: StudioEvent[]): StudioEvent[] {
  const out: StudioEvent[] = [];
  for (const event of events) {
    const previous = out.at(-1);
    if (
      previous &&
      (event.type === "agent_message_chunk" || event.type === "thought_chunk") &&
      previous.type === event.type &&
      previous.messageId === event.messageId
    ) {
      out[out.length - 1] = { ...previous, text: previous.text + event.text };
    } else {
      out.push(event);
    }
  }
  return out;
}
