// Event appends of every session on this replica, grouped. Whenever fewer than two statements are
// in flight, the next one takes the batches of every session waiting, each as large as its writer's
// buffer is at that moment. A quiet replica thus writes each event at once, alone; a busy one
// writes fewer, larger statements instead of queueing one commit per session: every append
// NOTIFYs, and PostgreSQL serialises notifying commits cluster-wide (a heavyweight lock held until
// after commit, so notifications appear in commit order), so separate statements would mostly wait
// for each other there. Two in flight overlap one statement's round trip with the other's commit.
// The price of sharing: a session whose row another transaction holds (they are all short) holds
// up the others in its statement until that transaction ends.
import { type AppendBatch, appendBatches } from "@studio/core/runner";
import { isStatementError, type SqlPool } from "@studio/db";

const STATEMENTS_IN_FLIGHT = 2;
/** Keeps one statement's parameters to a sensible size; more sessions wait for the next one. */
const SESSIONS_PER_STATEMENT = 100;

/** A session's writer, as the queue sees it. It has at most one batch queued or in flight. */
export interface AppendSource {
  readonly sessionId: string;
  /** Hands over everything it holds, now that a statement is about to carry it. */
  take(): AppendBatch;
  /** The statement carrying its batch finished; `error` when its batch was not stored. */
  settle(error: Error | null): void;
}

/** Told of each batch once it is committed, with the sequence number of its last event. */
export type StoredListener = (batch: AppendBatch, lastSeq: bigint) => void;

/**
 * The queue of every writer on one pool: one per replica, made by the composition root
 * (`createSessionRuntime`) and handed to its runners (`RunnerDeps.appendQueue`).
 */
export class AppendQueue {
  private readonly waiting: AppendSource[] = [];
  private inFlight = 0;
  private readonly storedListeners: StoredListener[] = [];

  constructor(private readonly pool: SqlPool) {}

  /**
   * Hands each committed batch to `listener` straight from memory. The replica's event bus uses it
   * so that subscribers on this replica need not wait for the batch's NOTIFY to come back through
   * PostgreSQL; the NOTIFY still goes out for the other replicas, and arrives here as a duplicate
   * that subscribers drop by sequence number.
   */
  onStored(listener: StoredListener): () => void {
    this.storedListeners.push(listener);
    return () => {
      const index = this.storedListeners.indexOf(listener);
      if (index !== -1) this.storedListeners.splice(index, 1);
    };
  }

  /** `source` has events to store; it asks again only after `settle`. */
  request(source: AppendSource) {
    this.waiting.push(source);
    this.pump();
  }

  private pump() {
    while (this.inFlight < STATEMENTS_IN_FLIGHT && this.waiting.length > 0) {
      const sources = this.waiting.splice(0, SESSIONS_PER_STATEMENT);
      const batches = sources.map((source) => source.take());
      this.inFlight += 1;
      void this.store(sources, batches).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async store(sources: AppendSource[], batches: AppendBatch[]) {
    let outcomes: Array<Error | null>;
    try {
      const stored = await appendBatches(this.pool, batches);
      this.announce(batches, stored);
      outcomes = sources.map((source) => storedOrMissing(stored, source.sessionId));
    } catch (error) {
      outcomes = await this.eachAlone(batches, error as Error);
    }
    for (const [index, source] of sources.entries()) source.settle(outcomes[index]!);
  }

  private announce(batches: AppendBatch[], stored: Map<string, bigint>) {
    if (this.storedListeners.length === 0) return;
    for (const batch of batches) {
      const lastSeq = stored.get(batch.sessionId);
      if (lastSeq === undefined) continue;
      for (const listener of this.storedListeners) listener(batch, lastSeq);
    }
  }

  /**
   * After a grouped statement failed. PostgreSQL rolled it back as a whole, so each batch is tried
   * alone: one session's bad batch (a payload PostgreSQL refuses) fails only that session. A lost
   * connection fails them all: the statement may have committed, and a retry could store twice.
   */
  private async eachAlone(batches: AppendBatch[], error: Error): Promise<Array<Error | null>> {
    if (batches.length === 1 || !isStatementError(error)) return batches.map(() => error);
    const outcomes: Array<Error | null> = [];
    for (const batch of batches) {
      try {
        const stored = await appendBatches(this.pool, [batch]);
        this.announce([batch], stored);
        outcomes.push(storedOrMissing(stored, batch.sessionId));
      } catch (alone) {
        outcomes.push(alone as Error);
      }
    }
    return outcomes;
  }
}

function storedOrMissing(stored: Map<string, bigint>, sessionId: string): Error | null {
  return stored.has(sessionId) ? null : new Error(`session ${sessionId} does not exist`);
}
