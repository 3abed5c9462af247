// Hands each session's notifications to the subscribers of that session on this replica. Batches
// this replica's runners commit are announced straight from memory (`announce`), the rest arrive
// by NOTIFY. A notification normally carries its events, so delivering them needs no query; when it does not
// (a large batch, or the LISTEN connection was lost and notifications may be missing) the reader
// falls back to the table. Either way it delivers by sequence number: no gap, no duplicate.
import type { StudioEvent } from "@studio/acp/events";
import type { NotificationListener } from "@studio/db/notifications";
import { EVENTS_CHANNEL, type EventNotification, parseEventNotification } from "./event-log.ts";

/** A notification, or `null`: "something may have been missed, read the table". */
export type BusMessage = EventNotification | null;

export interface EventWatcher {
  /** Everything announced since the last call; waits until there is something (or the signal aborts). */
  next(signal?: AbortSignal): Promise<BusMessage[]>;
  close(): void;
}

export class SessionEventBus {
  private readonly watchers = new Map<string, Set<(message: BusMessage) => void>>();
  /**
   * The last sequence number announced from memory, per watched session. The NOTIFY of a batch
   * this replica announced comes back as a duplicate; every watcher then had the batch (one that
   * started watching since reads the table first), so it is not handed to them again: it would
   * wake each subscriber only for it to drop the batch.
   */
  private readonly announced = new Map<string, bigint>();
  private readonly unsubscribe: Array<() => void>;

  constructor(listener: NotificationListener) {
    this.unsubscribe = [
      listener.subscribe(EVENTS_CHANNEL, (payload) => {
        const notification = parseEventNotification(payload);
        if (!notification) return;
        const announced = this.announced.get(notification.sessionId);
        if (announced !== undefined && notification.lastSeq <= announced) return;
        this.publish(notification.sessionId, notification);
      }),
      listener.onReconnect(() => {
        for (const sessionId of this.watchers.keys()) this.publish(sessionId, null);
      }),
    ];
  }

  /** A batch this replica just committed, delivered from memory ahead of its NOTIFY. */
  announce(sessionId: string, lastSeq: bigint, events: StudioEvent[]) {
    if (!this.watchers.has(sessionId)) return;
    if (lastSeq > (this.announced.get(sessionId) ?? 0n)) this.announced.set(sessionId, lastSeq);
    this.publish(sessionId, { sessionId, lastSeq, count: events.length, at: new Date(), events });
  }

  publish(sessionId: string, message: BusMessage) {
    for (const deliver of this.watchers.get(sessionId) ?? []) deliver(message);
  }

  watch(sessionId: string): EventWatcher {
    let queue: BusMessage[] = [];
    let wake: (() => void) | null = null;
    const deliver = (message: BusMessage) => {
      queue.push(message);
      wake?.();
    };
    let set = this.watchers.get(sessionId);
    if (!set) {
      set = new Set();
      this.watchers.set(sessionId, set);
    }
    set.add(deliver);
    // One abort listener for the watcher's signal, not one per wait (a wait per batch).
    let listened: AbortSignal | undefined;
    const onAbort = () => wake?.();
    return {
      next: async (signal) => {
        if (signal !== listened) {
          listened?.removeEventListener("abort", onAbort);
          listened = signal;
          signal?.addEventListener("abort", onAbort, { once: true });
        }
        while (queue.length === 0 && !signal?.aborted) {
          await new Promise<void>((resolve) => {
            wake = () => {
              wake = null;
              resolve();
            };
          });
        }
        const taken = queue;
        queue = [];
        return taken;
      },
      close: () => {
        listened?.removeEventListener("abort", onAbort);
        set.delete(deliver);
        if (set.size === 0) {
          this.watchers.delete(sessionId);
          this.announced.delete(sessionId);
        }
      },
    };
  }

  close() {
    for (const stop of this.unsubscribe) stop();
  }
}
