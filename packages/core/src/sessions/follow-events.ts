import type { StudioEvent } from "@studio/acp/events";
import type { DbTx } from "@studio/db";
import type { SessionEventBus } from "./event-bus.ts";
import { readEvents, type StoredEvent } from "./event-log.ts";

const PAGE = 500;

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
        let seq = firstSeq;
        for (const event of message.events as StudioEvent[]) {
          if (seq > last) {
            yield { seq, event, createdAt: message.at };
            last = seq;
          }
          seq += 1n;
        }
      }
    }
  } finally {
    watcher.close();
  }
}
