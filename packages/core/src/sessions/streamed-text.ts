// What a turn's messages said as they streamed, by message id: compared at the turn's end with what
// the agent kept (see `agent_message_settled`). A runner keeps it as the events go into the log; a
// runner that takes a turn over (a crash, a database outage) reads it back from the log.
import type { StudioEvent } from "@studio/acp/events";
import type { DbTx } from "@studio/db";

/** Adds the text of `events` to `streamed` (message id → text so far). */
export function foldStreamedText(streamed: Map<string, string>, events: readonly StudioEvent[]): void {
  for (const event of events) {
    if (event.type === "agent_message_chunk" && event.messageId !== null)
      streamed.set(event.messageId, (streamed.get(event.messageId) ?? "") + event.text);
    else if (event.type === "agent_message_settled") streamed.set(event.messageId, event.text);
  }
}

/** What a runner keeps of a running turn: its text as it streamed, and its tool calls. */
const TURN_STATE_TYPES = [
  "agent_message_chunk",
  "agent_message_settled",
  "tool_call",
  "tool_call_update",
  "permission_requested",
];

/**
 * The events of the turn `turnId` that make up a runner's state of it, as they were stored: a
 * runner taking the turn over (a crash, a database outage) rebuilds that state from them.
 */
export async function readTurnEvents(db: DbTx, sessionId: string, turnId: string): Promise<StudioEvent[]> {
  const started = await db.sessionEvent.findFirst({
    where: { sessionId, type: "turn_started", payload: { path: ["turnId"], equals: turnId } },
    select: { seq: true },
  });
  if (!started) return [];
  const rows = await db.sessionEvent.findMany({
    where: { sessionId, seq: { gt: started.seq }, type: { in: TURN_STATE_TYPES } },
    orderBy: { seq: "asc" },
    select: { payload: true },
  });
  return rows.map((row) => row.payload as StudioEvent);
}
