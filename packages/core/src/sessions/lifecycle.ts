// Persisting a state transition: a conditional update (only from the status the table allows) and
// the `status_changed` event, in one transaction.
import type { StudioEvent } from "@studio/acp/events";
import type { Db, DbTx } from "@studio/db";
import { AppError, notFound } from "../shared/errors.ts";
import { appendEvents } from "./event-log.ts";
import { type SessionStatus, type SessionTrigger, transition } from "./state-machine.ts";

export interface TransitionOptions {
  reason?: string | null;
  /** Extra columns to set with the status (timestamps, error step…). */
  data?: Record<string, unknown>;
  /** Events to append after `status_changed`, in the same transaction. */
  events?: StudioEvent[];
}

export async function applyTransitionInTx(
  tx: DbTx,
  sessionId: string,
  trigger: SessionTrigger,
  options: TransitionOptions = {},
): Promise<{ from: SessionStatus; to: SessionStatus }> {
  const session = await tx.studioSession.findUnique({ where: { id: sessionId }, select: { status: true } });
  if (!session) throw notFound("Session");
  const result = transition(session.status, trigger);
  if (!result.ok) throw new AppError("CONFLICT", result.reason);
  const { count } = await tx.studioSession.updateMany({
    where: { id: sessionId, status: session.status },
    data: { status: result.to, ...options.data },
  });
  if (count === 0) throw new AppError("CONFLICT", "The session changed meanwhile. Try again.");
  if (result.to !== session.status) {
    await appendEvents(tx, sessionId, [
      { type: "status_changed", from: session.status, to: result.to, reason: options.reason ?? null },
      ...(options.events ?? []),
    ]);
  } else if (options.events?.length) {
    await appendEvents(tx, sessionId, options.events);
  }
  return { from: session.status, to: result.to };
}

export function applyTransition(
  db: Db,
  sessionId: string,
  trigger: SessionTrigger,
  options: TransitionOptions = {},
) {
  return db.$transaction((tx) => applyTransitionInTx(tx, sessionId, trigger, options));
}
