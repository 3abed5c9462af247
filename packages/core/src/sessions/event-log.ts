// The durable event log. Events are appended with a gap-free per-session sequence and announced
// with NOTIFY in the same statement, so nothing is fanned out before it is stored.
import { type StudioEvent, studioEventSchema } from "@studio/acp/events";
import type { DbTx } from "@studio/db";

export const EVENTS_CHANNEL = "studio_session_events";

/** NOTIFY payloads are limited to 8000 bytes; larger batches are announced without their events. */
const NOTIFY_EVENTS_LIMIT = 7000;

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
  // Small batches travel inside the notification, so subscribers need no query to deliver them.
  const inline = `[${payloads.join(",")}]`;
  const announced = inline.length <= NOTIFY_EVENTS_LIMIT ? inline : "null";
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
    SELECT last_event_seq AS last_seq,
      pg_notify(${EVENTS_CHANNEL}, json_build_object(
        's', ${sessionId}::text, 'q', last_event_seq, 'n', ${events.length}::int,
        't', floor(extract(epoch from clock_timestamp()) * 1000), 'e', ${announced}::json)::text)::text
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

export interface EventNotification {
  sessionId: string;
  /** Sequence number of the last event of the batch. */
  lastSeq: bigint;
  count: number;
  at: Date;
  /** The batch itself, or null when it was too large to announce (read it from the table). */
  events: StudioEvent[] | null;
}

/** Parses a NOTIFY payload written by appendEvents. */
export function parseEventNotification(payload: string): EventNotification | null {
  try {
    const parsed = JSON.parse(payload) as {
      s: string;
      q: number;
      n: number;
      t: number;
      e: StudioEvent[] | null;
    };
    return {
      sessionId: parsed.s,
      lastSeq: BigInt(parsed.q),
      count: parsed.n,
      at: new Date(parsed.t),
      events: Array.isArray(parsed.e) ? parsed.e : null,
    };
  } catch {
    return null;
  }
}
