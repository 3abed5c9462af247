// Wakes subscribers of a session when its log grows. The bus only says "look again"; readers always
// query the table after the last sequence they delivered, so a lost or merged notification can
// cause no gap and no duplicate.
import type { NotificationListener } from "@studio/db/notifications";
import { EVENTS_CHANNEL, parseEventNotification } from "./event-log.ts";

export interface EventWatcher {
  /** Resolves when the session may have new events (or at once if it already may). */
  changed(signal?: AbortSignal): Promise<void>;
  close(): void;
}

export class SessionEventBus {
  private readonly watchers = new Map<string, Set<() => void>>();
  private readonly unsubscribe: Array<() => void>;

  constructor(listener: NotificationListener) {
    this.unsubscribe = [
      listener.subscribe(EVENTS_CHANNEL, (payload) => {
        const parsed = parseEventNotification(payload);
        if (parsed) this.wake(parsed.sessionId);
      }),
      listener.onReconnect(() => {
        for (const sessionId of this.watchers.keys()) this.wake(sessionId);
      }),
    ];
  }

  wake(sessionId: string) {
    for (const wakeOne of this.watchers.get(sessionId) ?? []) wakeOne();
  }

  watch(sessionId: string): EventWatcher {
    let pending = false;
    let resolveWait: (() => void) | null = null;
    const wakeOne = () => {
      pending = true;
      resolveWait?.();
    };
    let set = this.watchers.get(sessionId);
    if (!set) {
      set = new Set();
      this.watchers.set(sessionId, set);
    }
    set.add(wakeOne);
    return {
      changed: (signal) =>
        new Promise<void>((resolve) => {
          if (pending || signal?.aborted) {
            pending = false;
            resolve();
            return;
          }
          const done = () => {
            pending = false;
            resolveWait = null;
            signal?.removeEventListener("abort", done);
            resolve();
          };
          resolveWait = done;
          signal?.addEventListener("abort", done, { once: true });
        }),
      close: () => {
        set.delete(wakeOne);
        if (set.size === 0) this.watchers.delete(sessionId);
      },
    };
  }

  close() {
    for (const stop of this.unsubscribe) stop();
  }
}
