import type { StudioEvent } from "@studio/acp/events";
import type { StudioClient } from "@studio/client";
import { vi } from "vitest";

export type ReceivedEvent = StudioEvent & { seq: number; at: Date };

export interface EventCollector {
  events: ReceivedEvent[];
  errors: unknown[];
  /** Waits until an event matches (by default the newest first), returns it. */
  waitFor<T extends StudioEvent["type"]>(
    type: T,
    match?: (event: Extract<ReceivedEvent, { type: T }>) => boolean,
    timeout?: number,
  ): Promise<Extract<ReceivedEvent, { type: T }>>;
  stop(): void;
}

/** Follows a session's events through the typed client (SSE), like the web app does. */
export function collectEvents(client: StudioClient, sessionId: string, lastEventId?: number): EventCollector {
  const events: ReceivedEvent[] = [];
  const errors: unknown[] = [];
  const subscription = client.sessions.events.subscribe(
    { sessionId, lastEventId: lastEventId === undefined ? null : String(lastEventId) },
    {
      onData: (envelope) => events.push(envelope.data as unknown as ReceivedEvent),
      onError: (error) => errors.push(error),
    },
  );
  return {
    events,
    errors,
    waitFor: (type, match = () => true, timeout = 60_000) =>
      vi.waitFor(
        () => {
          const found = events.find((event) => event.type === type && match(event as never));
          if (!found) throw new Error(`no ${type} event yet (have: ${events.map((e) => e.type).join(", ")})`);
          return found as never;
        },
        { timeout, interval: 50 },
      ),
    stop: () => subscription.unsubscribe(),
  };
}

/** A new session on the scripted custom model, once its sandbox is ready. */
export async function readySession(client: StudioClient, timeout = 120_000) {
  const session = await client.sessions.create.mutate({
    environment: "development",
    provider: "custom",
    model: "scripted-1",
  });
  const events = collectEvents(client, session.id);
  await events.waitFor("status_changed", (event) => event.to === "ready", timeout);
  events.stop();
  return session;
}

/** The last event's seq (0 for none): a test on a shared session looks only at events after it. */
export const lastSeq = (events: ReceivedEvent[]): number => events.at(-1)?.seq ?? 0;

/** The text the agent streamed for one message, chunks joined. */
export function agentText(events: ReceivedEvent[], after = 0): string {
  return events
    .filter((event) => event.seq > after && event.type === "agent_message_chunk")
    .map((event) => (event as Extract<ReceivedEvent, { type: "agent_message_chunk" }>).text)
    .join("");
}

/** Sequence numbers must be exactly 1..n: no duplicate, no gap. */
export function sequenceProblems(events: ReceivedEvent[]): string | null {
  for (let index = 0; index < events.length; index++) {
    if (events[index]!.seq !== index + 1) return `position ${index} has seq ${events[index]!.seq}`;
  }
  return null;
}
