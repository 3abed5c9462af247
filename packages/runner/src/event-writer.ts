// Appends a runner's events in order with as little delay as possible: the first event is written
// at once; events arriving while a write is in flight form the next batch (coalesced). So a slow
// trickle costs one round trip per event and a fast stream is batched by itself.
import type { StudioEvent } from "@studio/acp/events";
import { appendEvents } from "@studio/core";
import type { Db } from "@studio/db";
import { coalesceChunks } from "./coalesce.ts";

export class EventWriter {
  private buffer: StudioEvent[] = [];
  private cursor: string | null = null;
  private writing: Promise<void> | null = null;
  private failure: Error | null = null;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly db: Db,
    private readonly sessionId: string,
    private readonly onError: (error: Error) => void,
  ) {}

  /**
   * Queues events; `agentCursor` is the agent stream position they came from, stored with them in
   * one statement so a takeover resumes exactly after what the log holds.
   */
  push(events: StudioEvent[], agentCursor?: string) {
    if (this.failure) throw this.failure;
    if (events.length === 0) return;
    this.buffer.push(...events);
    if (agentCursor !== undefined) this.cursor = agentCursor;
    if (!this.writing) this.writing = this.drain();
  }

  /** Resolves when everything pushed so far is stored. */
  async flushed(): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.writing && this.buffer.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.failure) throw this.failure;
  }

  private async drain() {
    try {
      while (this.buffer.length > 0) {
        const batch = coalesceChunks(this.buffer);
        const agentEventCursor = this.cursor;
        this.buffer = [];
        await appendEvents(this.db, this.sessionId, batch, { agentEventCursor });
      }
    } catch (error) {
      this.failure = error as Error;
      this.onError(this.failure);
    } finally {
      this.writing = null;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
