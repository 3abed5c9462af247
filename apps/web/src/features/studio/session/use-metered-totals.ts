import { useEffect, useRef, useState } from "react";
import { useTRPCClient } from "../../../lib/trpc.ts";
import type { LiveEvent } from "../chat/chat-types.ts";

export interface MeteredTotals {
  inputTokens: bigint;
  outputTokens: bigint;
  cachedTokens: bigint;
  costMicroUsd: bigint;
  chargedMicroUsd: bigint;
}

const RETRY_MS = [1000, 2000, 5000, 10_000];

/**
 * The session's totals after its latest `metered` event, live. The chat's own subscription feeds a
 * reducer that keeps no money, so the header follows the log itself, starting after the sequence
 * number the session row was read at, so nothing replays. The row's counters are written before the
 * event, so they never lag behind it: the header shows the larger of the two. Null until a model call
 * is metered while the page is open.
 */
export function useMeteredTotals(sessionId: string, rowSeq: bigint, live: boolean): MeteredTotals | null {
  const client = useTRPCClient();
  const [totals, setTotals] = useState<MeteredTotals | null>(null);
  // Where the row stood when the page opened, then the last event seen: later refetches of the row
  // must not restart the stream, and a resumed session carries on where the stream stopped.
  const lastSeq = useRef(Number(rowSeq));

  useEffect(() => {
    if (!live) return;
    let attempt = 0;
    let closed = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let unsubscribe = () => {};
    const subscribe = () => {
      const sub = client.sessions.events.subscribe(
        { sessionId, lastEventId: lastSeq.current > 0 ? String(lastSeq.current) : null },
        {
          onStarted: () => {
            attempt = 0;
          },
          onData: ({ data }) => {
            const event = data as LiveEvent;
            if (event.seq <= lastSeq.current) return;
            lastSeq.current = event.seq;
            if (event.type !== "metered") return;
            const t = event.totals;
            setTotals({
              inputTokens: BigInt(t.inputTokens),
              outputTokens: BigInt(t.outputTokens),
              cachedTokens: BigInt(t.cachedTokens),
              costMicroUsd: BigInt(t.costMicroUsd),
              chargedMicroUsd: BigInt(t.chargedMicroUsd),
            });
          },
          // The header's counters are a nicety: retry quietly, the chat's stream shows the connection.
          onError: () => {
            sub.unsubscribe();
            if (closed) return;
            retry = setTimeout(subscribe, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]);
          },
        },
      );
      unsubscribe = () => sub.unsubscribe();
    };
    subscribe();
    return () => {
      closed = true;
      clearTimeout(retry);
      unsubscribe();
    };
  }, [client, sessionId, live]);

  return totals;
}

/** The larger of two running totals: the row (refetched now and then) and the live stream. */
export const larger = (a: bigint, b: bigint | undefined) => (b !== undefined && b > a ? b : a);
