// When the database goes away under a runner (a PostgreSQL restart, a failover, a network blip),
// nothing the agent does meanwhile may be lost or stored twice. A batch cut off by the outage may or
// may not have committed, so the runner never retries it: it waits until the database answers
// again, reads back what did commit (the session row: the agent stream's cursor, stored in the same
// statement as the events it covers, and the running turn), and reads the agent's stream again
// from that cursor. What did not commit is regenerated from the stream, in order, exactly once.
import { runningPromptCommandId } from "@studio/core/runner";
import { isConnectionError } from "@studio/db";
import type { RunnerContext } from "./runner-state.ts";
import type { SessionRow } from "./session-row.ts";
import { restoreTurnState } from "./turn-state.ts";

/** Backoff between attempts to reach the database: quick for a blip, at most 5 s for a restart. */
export function outageDelayMs(attempt: number): number {
  return Math.min(250 * 2 ** attempt, 5_000);
}

/** An error meaning "the database is away", wherever it surfaced (a statement, a transaction). */
export function isDatabaseAway(error: unknown): boolean {
  return isConnectionError(error);
}

export interface StoreRecoveryDeps {
  loadRow(): Promise<SessionRow | null>;
  /** Pending interactions' ids, reloaded: rows created just before the outage keep theirs. */
  reloadInteractions(): Promise<void>;
  /**
   * Whether this replica still holds the session's lease. An outage longer than the lease lets
   * another replica take the session over; this one must then write nothing more for it.
   */
  holdsLease?(): Promise<boolean>;
  /** Tests pass their own. */
  sleep?(ms: number): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits for the database, then restores the runner's view from it and rewinds the agent's stream
 * to the stored cursor. Returns false when the runner was stopped (or lost its agent) meanwhile.
 */
export async function recoverFromOutage(
  runner: RunnerContext,
  deps: StoreRecoveryDeps,
  cause: Error,
): Promise<boolean> {
  const { state, log, sessionId, writer } = runner;
  log.warn({ sessionId, err: cause.message }, "database unreachable: holding the session until it is back");
  let row: SessionRow | null = null;
  for (let attempt = 0; !state.stopped; attempt++) {
    try {
      row = await deps.loadRow();
      await deps.reloadInteractions();
      break;
    } catch (error) {
      if (!isDatabaseAway(error)) throw error;
      await (deps.sleep ?? sleep)(outageDelayMs(attempt));
    }
  }
  if (state.stopped || !row) return false;
  if (deps.holdsLease && !(await deps.holdsLease())) {
    // The writer stays stopped and the stream unread: the manager's next tick lets the session go.
    log.info({ sessionId }, "database back, but the session moved to another replica meanwhile");
    return false;
  }
  const connection = state.connection;
  // Still provisioning: there is no stream to read again, only the writer to take up again.
  if (!connection) {
    writer.resume();
    return false;
  }
  // The turn is what the database says: a turn_ended that did not commit is ended again when the
  // prompt's response comes round on the stream; one that did is not ended twice.
  if (!row.currentTurnId) state.turn = null;
  else if (state.turn?.id !== row.currentTurnId) {
    const commandId = await runningPromptCommandId(runner.deps.db, sessionId);
    state.turn = { id: row.currentTurnId, commandId };
  }
  // The stream is read again from the stored position: the turn so far is what was stored.
  await restoreTurnState(runner, row.currentTurnId);
  writer.resume();
  connection.client.rewind(row.agentEventCursor);
  log.info(
    { sessionId, cursor: row.agentEventCursor },
    "database back: reading the agent's stream again from the last stored position",
  );
  return true;
}
