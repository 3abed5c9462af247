// The durable event log. Events are appended with a gap-free per-session sequence and announced
// with NOTIFY in the same statement, so nothing is fanned out before it is stored.
import { type StudioEvent, studioEventSchema } from "@studio/acp/events";
import type { DbTx } from "@studio/db";

export const EVENTS_CHANNEL = "studio_session_events";

export interface StoredEvent {
  seq: bigint;
  event: StudioEvent;
  createdAt: Date;
}

/**
 * Appends events in order and returns the sequence number of the last one. One statement: the
 * session row's `last_event_seq` is bumped under its row lock, so concurrent appends serialise and
 * numbers never repeat or skip; the NOTIFY is delivered when the statement commits. The runner
 * passes the agent stream's cursor, stored in the same statement, so a takeover resumes the agent's
 * stream exactly after what the log already holds.
 */
export async function appendEvents(
  db: DbTx,
  sessionId: string,
  events: StudioEvent[],
  options: { agentEventCursor?: string | null } = {},
): Promise<bigint> {
  if (events.length === 0) throw new Error("appendEvents needs at least one event");
  const types = events.map((event) => event.type);
  const payloads = events.map((event) => JSON.stringify(event));
  const rows = await db.$queryRaw<{ last_seq: bigint }[]>`
    WITH bumped AS (
      UPDATE studio_sessions SET last_event_seq = last_event_seq + ${events.length},
        agent_event_cursor = COALESCE(${options.agentEventCursor ?? null}, agent_event_cursor)
      WHERE id = ${sessionId}
      RETURNING last_event_seq
    ), inserted AS (
      INSERT INTO session_events (session_id, seq, type, payload)
      SELECT ${sessionId}, bumped.last_event_seq - ${events.length} + item.ordinality, item.type, item.payload::jsonb
      FROM bumped, unnest(${types}::text[], ${payloads}::text[]) WITH ORDINALITY AS item(type, payload, ordinality)
      RETURNING seq
    )
    SELECT last_event_seq AS last_seq, pg_notify(${EVENTS_CHANNEL}, ${sessionId} || ':' || last_event_seq)::text
    FROM bumped`;
  const lastSeq = rows[0]?.last_seq;
  if (lastSeq === undefined) throw new Error(`session ${sessionId} does not exist`);
  return BigInt(lastSeq);
}

export async function readEvents(
  db: DbTx,
  sessionId: string,
  afterSeq: bigint,
  limit = 500,
): Promise<StoredEvent[]> {
  const rows = await db.sessionEvent.findMany({
    where: { sessionId, seq: { gt: afterSeq } },
    orderBy: { seq: "asc" },
    take: limit,
    select: { seq: true, payload: true, createdAt: true },
  });
  return rows.map((row) => ({
    seq: row.seq,
    event: studioEventSchema.parse(row.payload),
    createdAt: row.createdAt,
  }));
}

/** Parses a NOTIFY payload `sessionId:seq`. */
export function parseEventNotification(payload: string): { sessionId: string; seq: bigint } | null {
  const separator = payload.lastIndexOf(":");
  if (separator <= 0) return null;
  try {
    return { sessionId: payload.slice(0, separator), seq: BigInt(payload.slice(separator + 1)) };
  } catch {
    return null;
  }
}
