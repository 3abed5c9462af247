import { useEffect, useRef, useState } from "react";
import { useTRPCClient } from "../../../lib/trpc.ts";
import { applyEvents } from "../chat/chat-reducer.ts";
import { type ChatState, initialChatState, type LiveEvent } from "../chat/chat-types.ts";

export type Connection = "connecting" | "live" | "reconnecting";

/** Events gathered for this long are applied in one reducer pass (one render per batch). */
const BATCH_MS = 32;
const RETRY_MS = [500, 1000, 2000, 5000, 10_000];

/**
 * Follows a session's event log. It starts after the last event it holds (nothing on first load,
 * so the whole history replays), and every reconnect, by the link or by itself after an error,
 * resumes after the last seq it received. The reducer skips anything it has already applied.
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
            if (closed) return;
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
    // Coming back online or to the tab: make sure the stream is alive rather than wait for a retry.
    const revive = () => {
      if (retryTimer === undefined) return;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      subscribe();
    };
    window.addEventListener("online", revive);
    return () => {
      closed = true;
      window.removeEventListener("online", revive);
      clearTimeout(retryTimer);
      clearTimeout(flushTimer);
      unsubscribe();
    };
  }, [client, sessionId]);

  return { state, connection };
}
