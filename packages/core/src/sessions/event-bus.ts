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
  private readonly unsubscribe: Array<() => void>;

  constructor(listener: NotificationListener) {
    this.unsubscribe = [
      listener.subscribe(EVENTS_CHANNEL, (payload) => {
        const notification = parseEventNotification(payload);
        if (notification) this.publish(notification.sessionId, notification);
      }),
      listener.onReconnect(() => {
        for (const sessionId of this.watchers.keys()) this.publish(sessionId, null);
      }),
    ];
  }

  /** A batch this replica just committed, delivered from memory ahead of its NOTIFY. */
  announce(sessionId: string, lastSeq: bigint, events: StudioEvent[]) {
    if (!this.watchers.has(sessionId)) return;
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
    return {
      next: async (signal) => {
        while (queue.length === 0 && !signal?.aborted) {
          await new Promise<void>((resolve) => {
            const done = () => {
              wake = null;
              signal?.removeEventListener("abort", done);
              resolve();
            };
            wake = done;
            signal?.addEventListener("abort", done, { once: true });
          });
        }
        const taken = queue;
        queue = [];
        return taken;
      },
      close: () => {
        set.delete(deliver);
        if (set.size === 0) this.watchers.delete(sessionId);
      },
    };
  }

  close() {
    for (const stop of this.unsubscribe) stop();
  }
}
