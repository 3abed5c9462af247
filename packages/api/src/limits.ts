// Slots for what a caller holds open (event streams, CSV exports): counted per key (a user, an
// organisation, the replica as a whole), refused with the one error type when any of the caller's
// keys is full, so one member cannot take what the others need. In memory: each replica counts its own.
import { AppError } from "@studio/core";

export interface SlotLimit {
  key: string;
  max: number;
  /** Said to the caller when this limit is the one reached. */
  message: string;
}

export class Slots {
  readonly #held = new Map<string, number>();

  constructor(readonly retryAfterSeconds = 5) {}

  /** How many slots `key` holds now. */
  held(key: string): number {
    return this.#held.get(key) ?? 0;
  }

  /**
   * Takes one slot under every limit, or none (TOO_MANY_REQUESTS naming the first one reached).
   * The release it returns may be called any number of times; only the first counts.
   */
  acquire(limits: readonly SlotLimit[]): () => void {
    const full = limits.find((limit) => this.held(limit.key) >= limit.max);
    if (full) {
      throw new AppError("TOO_MANY_REQUESTS", full.message, { retryAfterSeconds: this.retryAfterSeconds });
    }
    for (const { key } of limits) this.#held.set(key, this.held(key) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const { key } of limits) {
        const left = this.held(key) - 1;
        if (left > 0) this.#held.set(key, left);
        else this.#held.delete(key);
      }
    };
  }
}

/**
 * Live event streams one user may hold open on a replica (tabs, devices and programs together), by
 * default: SUBSCRIPTIONS_PER_USER sets it for a studio.
 */
export const MAX_SUBSCRIPTIONS_PER_USER = 32;

/** The replica's event-stream slots, shared by every request it serves. */
export const subscriptionSlots = new Slots(5);

export function subscriptionLimit(userId: string, max = MAX_SUBSCRIPTIONS_PER_USER): SlotLimit {
  return {
    key: `user:${userId}`,
    max,
    message: `You have ${max} live session views open already. Close some tabs and try again.`,
  };
}
