import { useEffect, useRef, useState } from "react";
import { useTRPCClient } from "../../../lib/trpc.ts";
import { applyEvents } from "./chat/chat-reducer.ts";
import { type ChatState, initialChatState, type LiveEvent } from "./chat/chat-types.ts";

export type Connection = "connecting" | "live" | "reconnecting" | "offline";

/** Events gathered for this long are applied in one reducer pass (one render per batch). */
const BATCH_MS = 32;
const RETRY_MS = [500, 1000, 2000, 5000, 10_000];

/**
 * Follows a session's event log. It starts after the last event it holds (nothing on first load,
 * so the whole history replays), and every reconnect, by the link or by itself after an error,
 * resumes after the last seq it received. The reducer skips anything it has already applied.
 *
 * Hand-written rather than `useSubscription` from `@trpc/tanstack-react-query`: that hook stops at
 * its first error and knows nothing of the browser going offline, while this one retries with
 * backoff from the last seq, drops the stream offline and resubscribes at once when back online,
 * and applies events in batches of one render each.
 */
export function useSessionEvents(sessionId: string): { state: ChatState; connection: Connection } {
  const client = useTRPCClient();
  const [state, setState] = useState<ChatState>(initialChatState);
  const [connection, setConnection] = useState<Connection>("connecting");
  const lastSeq = useRef(0);

  useEffect(() => {
    let buffer: LiveEvent[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let closed = false;
    let offline = false;
    let unsubscribe = () => {};

    const flush = () => {
      flushTimer = undefined;
      const batch = buffer;
      buffer = [];
      if (batch.length > 0) setState((current) => applyEvents(current, batch));
    };

    const subscribe = () => {
      const sub = client.sessions.events.subscribe(
        { sessionId, lastEventId: lastSeq.current > 0 ? String(lastSeq.current) : null },
        {
          onStarted: () => {
            attempt = 0;
            setConnection("live");
          },
          onData: ({ data }) => {
            const event = data as LiveEvent;
            if (event.seq <= lastSeq.current) return;
            lastSeq.current = event.seq;
            buffer.push(event);
            flushTimer ??= setTimeout(flush, BATCH_MS);
          },
          onConnectionStateChange: (change) => {
            if (change.state === "connecting" && lastSeq.current > 0) setConnection("reconnecting");
            if (change.state === "pending") setConnection("live");
          },
          onError: () => {
            sub.unsubscribe();
            if (closed || offline) return;
            setConnection("reconnecting");
            const delay = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)] ?? 10_000;
            attempt += 1;
            retryTimer = setTimeout(() => {
              retryTimer = undefined;
              subscribe();
            }, delay);
          },
        },
      );
      unsubscribe = () => sub.unsubscribe();
    };

    subscribe();
    // Offline, the stream is dead whatever the socket says: drop it, and when the browser is back
    // online subscribe again at once from the last seq rather than wait for a retry.
    const goOffline = () => {
      offline = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      unsubscribe();
      setConnection("offline");
    };
    const goOnline = () => {
      if (!offline && retryTimer === undefined) return;
      offline = false;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      setConnection("reconnecting");
      subscribe();
    };
    window.addEventListener("offline", goOffline);
    window.addEventListener("online", goOnline);
    return () => {
      closed = true;
      window.removeEventListener("offline", goOffline);
      window.removeEventListener("online", goOnline);
      clearTimeout(retryTimer);
      clearTimeout(flushTimer);
      unsubscribe();
    };
  }, [client, sessionId]);

  return { state, connection };
}
