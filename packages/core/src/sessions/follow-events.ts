import type { StudioEvent } from "@studio/acp/events";
import type { DbTx } from "@studio/db";
import type { SessionEventBus } from "./event-bus.ts";
import { type EventNotification, readEvents, type StoredEvent } from "./event-log.ts";

const PAGE = 500;

/**
 * A live batch's stored events, made once per batch: every subscriber of the session on this
 * replica gets the same objects, so what is made of them for the wire (`sessions.events`) is made
 * once per event, not once per subscriber.
 */
const storedOfBatch = new WeakMap<EventNotification, StoredEvent[]>();

function storedEvents(message: EventNotification): StoredEvent[] {
  let stored = storedOfBatch.get(message);
  if (!stored) {
    const firstSeq = message.lastSeq - BigInt(message.count) + 1n;
    stored = (message.events as StudioEvent[]).map((event, index) => ({
      seq: firstSeq + BigInt(index),
      event,
      createdAt: message.at,
    }));
    storedOfBatch.set(message, stored);
  }
  return stored;
}

/**
 * Every event of a session after `afterSeq`, in order, then each new one as it is stored, until
 * the signal aborts. Live events come from the notification itself when it carries them and
 * continues exactly where the reader is; anything else (a gap, a large batch, a lost LISTEN
 * connection) is read from the table. So a subscriber gets neither a duplicate nor a gap.
 */
export async function* followEvents(
  db: DbTx,
  bus: SessionEventBus,
  sessionId: string,
  afterSeq: bigint,
  signal: AbortSignal,
): AsyncGenerator<StoredEvent> {
  const watcher = bus.watch(sessionId); // before the first read: no notification can slip between
  try {
    let last = afterSeq;
    let mustRead = true;
    while (!signal.aborted) {
      if (mustRead) {
        const stored = await readEvents(db, sessionId, last, PAGE);
        for (const event of stored) {
          yield event;
          last = event.seq;
        }
        if (stored.length === PAGE) continue;
        mustRead = false;
      }
      for (const message of await watcher.next(signal)) {
        if (mustRead) break;
        if (message === null || message.events === null) {
          mustRead = true;
          continue;
        }
        const firstSeq = message.lastSeq - BigInt(message.count) + 1n;
        if (message.lastSeq <= last) continue; // already delivered (read from the table)
        if (firstSeq > last + 1n) {
          mustRead = true; // something came before this batch that we have not seen
          continue;
        }
        for (const stored of storedEvents(message)) {
          if (stored.seq > last) {
            yield stored;
            last = stored.seq;
          }
        }
      }
    }
  } finally {
    watcher.close();
  }
}
