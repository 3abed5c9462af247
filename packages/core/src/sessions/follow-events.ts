import type { DbTx } from "@studio/db";
import type { SessionEventBus } from "./event-bus.ts";
import { readEvents, type StoredEvent } from "./event-log.ts";

const PAGE = 500;

/**
 * Every event of a session after `afterSeq`, in order, then each new one as it is stored, until
 * the signal aborts. Backfill and live delivery are one loop over the table, so a subscriber that
 * reconnects with its last sequence gets neither a duplicate nor a gap.
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
    while (!signal.aborted) {
      const events = await readEvents(db, sessionId, last, PAGE);
      for (const stored of events) {
        yield stored;
        last = stored.seq;
      }
      if (events.length < PAGE) await watcher.changed(signal);
    }
  } finally {
    watcher.close();
  }
}
