// How many sandboxes a replica starts at once. A start is CPU-bound (sandbox-agent, then
// OpenCode's own start, a couple of seconds of a core each): twenty-five started together on two
// cores shared the CPU so thinly that each took twenty-five times as long, and the last outlived
// its timeout. Started a few at a time they finish as fast as the machine allows, one after
// another, and the ones waiting are told how many are ahead of them. Pure: no I/O, no timers.
import os from "node:os";

/**
 * One start per core: a start keeps about one core busy, so more at once only shares the same
 * CPU more thinly (every start slower, none sooner) and fewer leaves a core idle.
 */
export function defaultProvisioningConcurrency(cores: number = os.availableParallelism()): number {
  return Math.max(1, Math.floor(cores));
}

export interface AcquireOptions {
  /** Called when the request has to wait, and again each time it moves up: how many are ahead. */
  onAhead?: (ahead: number) => void;
  /** Gives up waiting (the session was stopped, the replica is stopping): rejects with the reason. */
  signal?: AbortSignal;
}

interface Waiter {
  grant: () => void;
  onAhead: ((ahead: number) => void) | undefined;
}

/** A first-come, first-served limit on sandbox starts under way on this replica. */
export class ProvisioningQueue {
  #running = 0;
  readonly #waiting: Waiter[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError("the limit must be a positive integer");
  }

  /** Starts under way. */
  get running(): number {
    return this.#running;
  }

  /** Starts waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * How many more new sessions this replica should take on: enough to fill its free slots and keep
   * a queue as long as one round of starts, so a slot freed never waits for the next claim. Beyond
   * that a session is better left to a replica with a free slot (or this one, a round later).
   */
  claimBudget(): number {
    return Math.max(0, 2 * this.limit - this.#running - this.#waiting.length);
  }

  /** Resolves with `release` once a slot is free; every waiter is served in arrival order. */
  acquire(options: AcquireOptions = {}): Promise<() => void> {
    const { signal, onAhead } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#running < this.limit && this.#waiting.length === 0) {
      this.#running += 1;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(this.#releaser());
        },
        onAhead,
      };
      const onAbort = () => {
        const at = this.#waiting.indexOf(waiter);
        if (at < 0) return;
        this.#waiting.splice(at, 1);
        this.#announceFrom(at);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
      onAhead?.(this.#waiting.length - 1);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#running -= 1;
      const next = this.#waiting.shift();
      if (!next) return;
      this.#running += 1;
      next.grant();
      this.#announceFrom(0);
    };
  }

  /** Everyone from `index` on moved up one place. */
  #announceFrom(index: number) {
    for (let at = index; at < this.#waiting.length; at++) this.#waiting[at]!.onAhead?.(at);
  }
}

/** The queue's step in the provisioning card, as its label reads while waiting and after. */
export function queueStepLabel(ahead: number | null): string {
  if (ahead === null) return "Waited for a free slot";
  return ahead === 0 ? "Waiting for a free slot (next)" : `Waiting for a free slot (${ahead} ahead)`;
}
