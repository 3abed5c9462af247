// Counting calls per minute without a database round trip per call. The shared count lives in
// PostgreSQL (rate-limiter-flexible's store, so every replica sees the same minute), but a replica
// takes its points from it in blocks of a hundredth of the allowance and spends them from memory.
// A replica never spends a point the store did not give it, so no replica ever lets more calls
// through than the limit; what a block costs is the other way round: points a replica took and did
// not spend before the minute ended are lost to the others, at most a block less than the
// allowance per replica (1 % of it). Allowances under 200 a minute are taken one point at a time,
// exactly as before.
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import { RateLimiterRes } from "rate-limiter-flexible";

/** Points taken at once from an allowance of `points` a window. */
export function blockSize(points: number): number {
  return Math.max(1, Math.floor(points / 100));
}

interface HeldPoints {
  /** Points taken from the store and not yet spent. */
  left: number;
  /** When the store's window ends (this replica's clock, a little early): held points lapse then. */
  endsAt: number;
  /** The allowance they were taken under: a changed limit takes points anew. */
  points: number;
}

/** What taking one point answered: taken, or refused until the window ends. */
export type TakeOutcome = { taken: true } | { taken: false; msBeforeNext: number };

export class PointBlocks {
  private readonly held = new Map<string, HeldPoints>();
  /** Keys the store refused, until their window ends: refused again without asking it. */
  private readonly refusedUntil = new Map<string, number>();
  /** One request to the store per key at a time; the calls behind it wait for its points. */
  private readonly taking = new Map<string, Promise<void>>();

  constructor(private readonly limiterFor: (points: number) => RateLimiterAbstract) {}

  /** Takes one point of `key`'s allowance of `points` this window. */
  async take(key: string, points: number): Promise<TakeOutcome> {
    for (;;) {
      const now = Date.now();
      const refusedUntil = this.refusedUntil.get(key);
      if (refusedUntil !== undefined) {
        if (refusedUntil > now) return { taken: false, msBeforeNext: refusedUntil - now };
        this.refusedUntil.delete(key);
      }
      const held = this.held.get(key);
      if (held && held.points === points && held.endsAt > now && held.left > 0) {
        held.left--;
        return { taken: true };
      }
      const pending = this.taking.get(key);
      if (pending) {
        await pending;
        continue;
      }
      const fetching = this.fetchBlock(key, points).finally(() => this.taking.delete(key));
      this.taking.set(key, fetching);
      await fetching;
    }
  }

  /**
   * Gives back a point taken for a call that was not made (another level refused it): to memory
   * when points are taken in blocks, to the store when one at a time, so small allowances stay exact.
   */
  async giveBack(key: string, points: number): Promise<void> {
    const held = this.held.get(key);
    if (blockSize(points) > 1 && held && held.points === points && held.endsAt > Date.now()) {
      held.left++;
      return;
    }
    await this.limiterFor(points)
      .reward(key, 1)
      .catch(() => {});
  }

  private async fetchBlock(key: string, points: number): Promise<void> {
    const block = blockSize(points);
    const limiter = this.limiterFor(points);
    const askedAt = Date.now();
    try {
      const res = await limiter.consume(key, block);
      this.held.set(key, { left: block, endsAt: askedAt + res.msBeforeNext, points });
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      // The store counted the whole block; what was left before it is kept, the rest given back.
      const over = error.consumedPoints - points;
      const kept = Math.max(0, block - over);
      const giveBack = block - kept;
      if (giveBack > 0) await limiter.reward(key, giveBack).catch(() => {});
      if (kept > 0) this.held.set(key, { left: kept, endsAt: askedAt + error.msBeforeNext, points });
      else {
        this.held.delete(key);
        this.refusedUntil.set(key, askedAt + error.msBeforeNext);
      }
    }
    this.forgetLapsed(askedAt);
  }

  /** Keeps memory to the keys in use: lapsed entries go once there are many. */
  private forgetLapsed(now: number): void {
    if (this.held.size + this.refusedUntil.size < 10_000) return;
    for (const [key, held] of this.held) if (held.endsAt <= now) this.held.delete(key);
    for (const [key, until] of this.refusedUntil) if (until <= now) this.refusedUntil.delete(key);
  }
}
