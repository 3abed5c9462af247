// The durable event log. Events are appended with a gap-free per-session sequence and announced
// with NOTIFY in the same statement, so nothing is fanned out before it is stored.
import { type StudioEvent, studioEventSchema } from "@studio/acp/events";
import type { DbTx, SqlPool } from "@studio/db";

export const EVENTS_CHANNEL = "studio_session_events";

/** NOTIFY payloads are limited to 8000 bytes; larger batches are announced without their events. */
export const NOTIFY_EVENTS_LIMIT = 7000;

export interface StoredEvent {
  seq: bigint;
  event: StudioEvent;
  createdAt: Date;
}

/** One session's events for an append, with the agent stream position they came from. */
export interface AppendBatch {
  sessionId: string;
  events: StudioEvent[];
  agentEventCursor?: string | null;
}

/**
 * The NOTIFY announcing a stored batch, as SQL over the given expressions (the session id, the
 * batch's last sequence number and size, and its events as `json` or NULL when too large to carry):
 * what `parseEventNotification` reads. For the statements that append events.
 */
export function notifyBatchSql(sessionId: string, lastSeq: string, count: string, events: string): string {
  return `pg_notify('${EVENTS_CHANNEL}', json_build_object(
      's', ${sessionId}, 'q', ${lastSeq}, 'n', ${count},
      't', floor(extract(epoch from clock_timestamp()) * 1000), 'e', ${events})::text)::text`;
}

/**
 * The append, one statement for any number of sessions: each session row's `last_event_seq` is
 * bumped under its row lock (taken in id order, so two grouped appends cannot deadlock), so
 * concurrent appends serialise and numbers never repeat or skip; the events are inserted; the
 * agent stream's cursor, when given, is stored with them (so a takeover resumes the agent's stream
 * exactly after what the log holds); each session's NOTIFY is delivered when the statement commits.
 * Parameters: per batch (session, count, cursor, announced events), then per event (session,
 * position in its batch, type, payload).
 */
const APPEND_SQL = `
  WITH batch AS (
    SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[])
      AS b(session_id, n, agent_cursor, announced)
  ), locked AS (
    SELECT s.id FROM studio_sessions s
    WHERE s.id IN (SELECT session_id FROM batch)
    ORDER BY s.id FOR UPDATE
  ), bumped AS (
    UPDATE studio_sessions s SET last_event_seq = s.last_event_seq + b.n,
      agent_event_cursor = COALESCE(b.agent_cursor, s.agent_event_cursor)
    FROM batch b, locked l
    WHERE s.id = b.session_id AND l.id = s.id
    RETURNING s.id, s.last_event_seq, b.n, b.announced
  ), inserted AS (
    INSERT INTO session_events (session_id, seq, type, payload)
    SELECT e.session_id, bumped.last_event_seq - bumped.n + e.position, e.type, e.payload::jsonb
    FROM unnest($5::text[], $6::int[], $7::text[], $8::text[]) AS e(session_id, position, type, payload)
    JOIN bumped ON bumped.id = e.session_id
    RETURNING seq
  )
  SELECT id, last_event_seq AS last_seq, ${notifyBatchSql("id", "last_event_seq", "n", "announced::json")}
  FROM bumped`;

// PostgreSQL's jsonb refuses NUL and unpaired surrogates, and an agent's text can hold either (a
// tool printing a binary file, a stream cut inside an emoji). Refused, the event would stop the
// session's log, so they become U+FFFD, as a UTF-8 decoder would write them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what is looked for.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// What JSON.stringify writes for them (it escapes both), checked first: almost no event has any.
const UNSTORABLE_ESCAPE = /\\u0000|\\ud[89a-f]/i;

export function serialiseEvent(event: StudioEvent): string {
  const json = JSON.stringify(event);
  if (!UNSTORABLE_ESCAPE.test(json)) return json;
  return JSON.stringify(event, (_key, value: unknown) =>
    typeof value === "string" ? value.replace(UNSTORABLE, "\uFFFD") : value,
  );
}

function appendParams(batches: AppendBatch[]): unknown[] {
  const params: [string[], number[], Array<string | null>, string[], string[], number[], string[], string[]] =
    [[], [], [], [], [], [], [], []];
  const [sessions, counts, cursors, announced, eventSessions, positions, types, payloads] = params;
  for (const { sessionId, events, agentEventCursor } of batches) {
    if (events.length === 0) throw new Error("appendEvents needs at least one event");
    const serialised = events.map(serialiseEvent);
    // Small batches travel inside the notification, so subscribers need no query to deliver them.
    const inline = `[${serialised.join(",")}]`;
    sessions.push(sessionId);
    counts.push(events.length);
    cursors.push(agentEventCursor ?? null);
    announced.push(inline.length <= NOTIFY_EVENTS_LIMIT ? inline : "null");
    events.forEach((event, index) => {
      eventSessions.push(sessionId);
      positions.push(index + 1);
      types.push(event.type);
      payloads.push(serialised[index]!);
    });
  }
  return params;
}

/** The last sequence number stored for each session; a session that does not exist is missing. */
function lastSeqs(rows: Array<{ id: string; last_seq: bigint | string }>): Map<string, bigint> {
  return new Map(rows.map((row) => [row.id, BigInt(row.last_seq)]));
}

/**
 * Appends events in order and returns the sequence number of the last one, inside whatever
 * transaction `db` is (a state change and its event commit together).
 */
export async function appendEvents(
  db: DbTx,
  sessionId: string,
  events: StudioEvent[],
  options: { agentEventCursor?: string | null } = {},
): Promise<bigint> {
  const params = appendParams([{ sessionId, events, agentEventCursor: options.agentEventCursor }]);
  const rows = await db.$queryRawUnsafe<{ id: string; last_seq: bigint }[]>(APPEND_SQL, ...params);
  const lastSeq = lastSeqs(rows).get(sessionId);
  if (lastSeq === undefined) throw new Error(`session ${sessionId} does not exist`);
  return lastSeq;
}

/**
 * The same append for several sessions at once, outside any transaction, through plain `pg`
 * (the `SqlPool` under the Prisma client) and a prepared statement: the runners' hot path, where Prisma's cost per query
 * would be most of the latency the log adds between the agent and a subscriber, and where one
 * statement for every waiting session spares PostgreSQL a commit per session (notifying commits
 * are serialised cluster-wide). At most one batch per session. Returns each session's last
 * sequence number; a session that does not exist is missing from the map.
 */
export async function appendBatches(pool: SqlPool, batches: AppendBatch[]): Promise<Map<string, bigint>> {
  const values = appendParams(batches);
  const result = await pool.query<{ id: string; last_seq: string }>({
    name: "studio_append_events",
    text: APPEND_SQL,
    values,
  });
  return lastSeqs(result.rows);
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
