// Appends a runner's events in order with as little delay as possible: the first event is handed
// to the replica's append queue at once; events arriving while its batch is queued or being
// written form the next batch (text chunks of one message coalesced). So a slow trickle costs one
// round trip per event and a fast stream is batched by itself: the latency it adds is about one
// append, whatever the load, where a fixed time window would add its whole length to every event.
import type { StudioEvent } from "@studio/acp/events";
import type { AppendBatch } from "@studio/core/runner";
import { isConnectionError } from "@studio/db";
import type { AppendQueue, AppendSource } from "./append-queue.ts";
import { coalesceChunks } from "./coalesce.ts";

export class EventWriter implements AppendSource {
  private buffer: StudioEvent[] = [];
  private cursor: string | null = null;
  /** A batch of ours is queued or being written: new events wait for it in `buffer`. */
  private busy = false;
  private failure: Error | null = null;
  /**
   * The database went away under a batch: whether it committed is unknown, so what was queued is
   * dropped and later pushes are ignored until `resume()`. The runner then reads the agent's stream
   * again from the cursor the database holds, which regenerates exactly what did not commit.
   */
  private lost: Error | null = null;
  private idleWaiters: Array<() => void> = [];

  constructor(
    /** The replica's append queue, which every writer on it shares. */
    private readonly queue: AppendQueue,
    readonly sessionId: string,
    private readonly onError: (error: Error) => void,
    private readonly onLost: (error: Error) => void = onError,
  ) {}

  /**
   * Queues events; `agentCursor` is the agent stream position they came from, stored with them in
   * one statement so a takeover resumes exactly after what the log holds.
   */
  push(events: StudioEvent[], agentCursor?: string) {
    if (this.failure) throw this.failure;
    if (this.lost || events.length === 0) return;
    this.buffer.push(...events);
    if (agentCursor !== undefined) this.cursor = agentCursor;
    if (!this.busy) {
      this.busy = true;
      this.queue.request(this);
    }
  }

  /** Resolves when everything pushed so far is stored. */
  async flushed(): Promise<void> {
    if (this.failure ?? this.lost) throw this.failure ?? this.lost;
    if (!this.busy) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.failure ?? this.lost) throw this.failure ?? this.lost;
  }

  /** The database answers again and the runner has rewound the stream: pushes are stored again. */
  resume() {
    this.lost = null;
  }

  get isLost(): boolean {
    return this.lost !== null;
  }

  /** Called by the queue when a statement is about to carry our batch. */
  take(): AppendBatch {
    const events = coalesceChunks(this.buffer);
    this.buffer = [];
    return { sessionId: this.sessionId, events, agentEventCursor: this.cursor };
  }

  /** Called by the queue when that statement finished. */
  settle(error: Error | null) {
    if (error && isConnectionError(error)) {
      this.lost = error;
      this.buffer = [];
      this.onLost(error);
    } else if (error) {
      this.failure = error;
      this.onError(error);
    } else if (this.buffer.length > 0) {
      this.queue.request(this); // still busy: what arrived meanwhile is the next batch
      return;
    }
    this.busy = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
