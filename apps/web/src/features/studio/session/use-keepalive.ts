import { useMutation } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTRPC } from "../../../lib/trpc.ts";

/** How often, at most, a keepalive is sent while the person is active. */
const KEEPALIVE_EVERY_MS = 60_000;
const ACTIVITY_EVENTS = ["pointerdown", "keydown", "wheel", "touchstart", "focus"] as const;

export interface IdleClock {
  /** When the studio will stop the session for inactivity, as this page knows it. */
  deadline: number | null;
  keepWorking: () => void;
  pending: boolean;
}

/**
 * Sends keepalives while the page is visible and the person has done something since the last one,
 * and works out when the idle auto-stop would come (the last activity the page knows of plus the
 * session's idle timeout).
 */
export function useKeepalive(options: {
  sessionId: string;
  /** Keepalives only make sense while the session runs and no turn is holding it awake. */
  enabled: boolean;
  idleTimeoutSeconds: number;
  /** The latest activity the studio recorded: the session row or the last turn event. */
  lastActivityAt: number;
}): IdleClock {
  const trpc = useTRPC();
  const { mutate, isPending } = useMutation(trpc.sessions.keepalive.mutationOptions());
  const [keptAt, setKeptAt] = useState(0);
  const lastInput = useRef(Date.now());
  const lastSent = useRef(0);
  const { sessionId, enabled, idleTimeoutSeconds, lastActivityAt } = options;

  const send = useCallback(() => {
    lastSent.current = Date.now();
    mutate({ sessionId }, { onSuccess: () => setKeptAt(Date.now()) });
  }, [mutate, sessionId]);

  useEffect(() => {
    const onActivity = () => {
      lastInput.current = Date.now();
    };
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, onActivity, { passive: true });
    return () => {
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, onActivity);
    };
  }, []);

  useEffect(() => {
    if (!enabled) return;
    const tick = () => {
      const visible = document.visibilityState === "visible";
      const activeSinceLast = lastInput.current > lastSent.current;
      if (visible && activeSinceLast && Date.now() - lastSent.current >= KEEPALIVE_EVERY_MS) send();
    };
    const timer = setInterval(tick, 5_000);
    document.addEventListener("visibilitychange", tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", tick);
    };
  }, [enabled, send]);

  const last = Math.max(lastActivityAt, keptAt);
  return {
    deadline: enabled && idleTimeoutSeconds > 0 ? last + idleTimeoutSeconds * 1000 : null,
    keepWorking: send,
    pending: isPending,
  };
}
