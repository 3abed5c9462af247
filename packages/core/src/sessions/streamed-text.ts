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

/** The streamed text of the turn `turnId`, as its events were stored. */
export async function readStreamedText(
  db: DbTx,
  sessionId: string,
  turnId: string,
): Promise<Map<string, string>> {
  const streamed = new Map<string, string>();
  const started = await db.sessionEvent.findFirst({
    where: { sessionId, type: "turn_started", payload: { path: ["turnId"], equals: turnId } },
    select: { seq: true },
  });
  if (!started) return streamed;
  const rows = await db.sessionEvent.findMany({
    where: {
      sessionId,
      seq: { gt: started.seq },
      type: { in: ["agent_message_chunk", "agent_message_settled"] },
    },
    orderBy: { seq: "asc" },
    select: { payload: true },
  });
  foldStreamedText(
    streamed,
    rows.map((row) => row.payload as StudioEvent),
  );
  return streamed;
}
