// A replica's budget allowances, kept in memory (the grants themselves: core budgets/allowances.ts).
// A call every covering hard budget has room for is admitted here, without the database: it holds
// its worst-case cost against each allowance until the recorder has written its real cost, which
// the ledger's statement takes from the same allowances. More is asked for in the background before
// the room runs out, and an allowance is renewed while it is used or calls admitted from it are
// still in flight, so it stays valid in the database for as long as this replica relies on it.
import { randomUUID } from "node:crypto";
import type { AllowanceGrant, AllowanceRequest, BudgetRule, PeriodWindow } from "@studio/core";

/** How long an allowance lasts in the database unless renewed. */
export const ALLOWANCE_TTL_MS = 30_000;
/** Stop admitting this much before the database would count it lapsed (the grant's round trip included). */
const EXPIRY_MARGIN_MS = 3_000;
/** Ask for this many worst-case calls' worth at a time (or twice what is held, when more)... */
const CALLS_PER_GRANT = 32n;
/** ...when fewer than this many would still fit. */
const CALLS_LEFT_TO_ASK = 8n;
/** An allowance unused this long is given back (what it holds counts as spent for the others). */
const IDLE_RETURN_MS = 10_000;
/** How often allowances are renewed for their calls in flight, and idle ones given back. */
const TEND_EVERY_MS = 2_500;
/** After a refused or failed grant, calls use the exact read for this long before asking again. */
const QUIET_AFTER_REFUSAL_MS = 1_000;

export interface Granter {
  grant(request: AllowanceRequest): Promise<AllowanceGrant>;
  shrink(allowanceId: string, keepMicroUsd: bigint): Promise<void>;
}

/** A hard budget covering a call, in its current period. */
export interface CoveringBudget {
  budget: BudgetRule;
  subject: string;
  window: PeriodWindow;
}

/** A call's worst case held against its allowances; exactly one of its endings is called. */
export interface AllowanceHold {
  allowanceIds: string[];
  /** The call's real cost is in the ledger (null: it could not be written; its worst case stays spent). */
  recorded(costMicroUsd: bigint | null): void;
  /** The call never reached the provider, or was never going to be recorded. */
  release(): void;
}

class Allowance {
  readonly id = randomUUID();
  granted = 0n;
  /** Taken from it by the ledger: the real costs of its calls that were recorded. */
  recorded = 0n;
  /** Worst cases of its calls not yet recorded. */
  pending = 0n;
  validUntil = 0;
  lastUsed = 0;
  quietUntil = 0;
  asking = false;
  dead = false;

  constructor(
    readonly organizationId: string,
    readonly covering: CoveringBudget,
  ) {}

  room(now: number): bigint {
    return this.dead || now >= this.validUntil ? 0n : this.granted - this.recorded - this.pending;
  }
}

const keyOf = (organizationId: string, { budget, subject, window }: CoveringBudget) =>
  `${organizationId}|${budget.id}|${budget.period}|${budget.limitMicroUsd}|${subject}|${window.startDay}`;

export class Allowances {
  private readonly byKey = new Map<string, Allowance>();
  /** Given back, with calls still in flight: renewed (not added to) until they are recorded. */
  private readonly retiring = new Set<Allowance>();
  private readonly tendTimer: ReturnType<typeof setInterval>;

  constructor(
    private readonly granter: Granter,
    private readonly holder: string,
    private readonly onError: (error: unknown) => void,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tendTimer = setInterval(() => this.tend(), TEND_EVERY_MS);
    this.tendTimer.unref();
  }

  /**
   * Holds `worstCase` against the allowance of each covering budget and returns the hold, or null
   * when one of them lacks room (the call is then admitted by the exact read). Either way, asks in
   * the background for the allowances that are running low.
   */
  tryHold(organizationId: string, covering: CoveringBudget[], worstCase: bigint): AllowanceHold | null {
    const now = this.clock();
    const allowances = covering.map((c) => this.allowanceFor(organizationId, c, now));
    let fits = true;
    for (const allowance of allowances) {
      const room = allowance.room(now);
      if (room < worstCase) fits = false;
      const renewSoon = allowance.validUntil - now < ALLOWANCE_TTL_MS / 2;
      if (room - worstCase < worstCase * CALLS_LEFT_TO_ASK || renewSoon) {
        // Under a burst, what is held until the recorder's next batch can be more than 32 calls.
        const pendingTwice = allowance.pending * 2n;
        const want = worstCase * CALLS_PER_GRANT;
        this.ask(allowance, pendingTwice > want ? pendingTwice : want);
      }
    }
    if (!fits) return null;
    for (const allowance of allowances) {
      allowance.pending += worstCase;
      allowance.lastUsed = now;
    }
    let done = false;
    const end = (cost: bigint | null) => {
      if (done) return;
      done = true;
      for (const allowance of allowances) {
        allowance.pending -= worstCase;
        if (cost !== null) allowance.recorded += cost;
        else allowance.granted -= worstCase;
      }
    };
    return {
      allowanceIds: allowances.map((allowance) => allowance.id),
      recorded: end,
      release: () => end(0n),
    };
  }

  /** Stops admitting from an organisation's allowances its budgets no longer match, giving back their room. */
  retain(organizationId: string, current: (covering: CoveringBudget) => boolean): void {
    for (const [key, allowance] of this.byKey) {
      if (allowance.organizationId !== organizationId || current(allowance.covering)) continue;
      this.byKey.delete(key);
      this.retire(allowance);
    }
  }

  /** Gives back the unused room of every allowance for a subject's period, which another replica needs. */
  recall({
    organizationId,
    subject,
    startDay,
  }: {
    organizationId: string;
    subject: string;
    startDay: string;
  }) {
    this.retain(
      organizationId,
      (covering) => covering.subject !== subject || covering.window.startDay !== startDay,
    );
  }

  /** How many allowances this replica keeps (tests, diagnostics). */
  get size(): number {
    return this.byKey.size;
  }

  close(): void {
    clearInterval(this.tendTimer);
  }

  private allowanceFor(organizationId: string, covering: CoveringBudget, now: number): Allowance {
    const key = keyOf(organizationId, covering);
    const existing = this.byKey.get(key);
    // One that lapsed is never revived: others may have been granted what it held.
    if (existing && !existing.dead && (existing.validUntil === 0 || now < existing.validUntil))
      return existing;
    const fresh = new Allowance(organizationId, covering);
    fresh.lastUsed = now;
    // A budget that just refused (changed, say) is not asked again by every call until it settles.
    fresh.quietUntil = existing?.quietUntil ?? 0;
    this.byKey.set(key, fresh);
    if (existing) this.retire(existing);
    return fresh;
  }

  /**
   * Gives up, at once, the room of this replica's allowances for the covering budgets: a call that
   * none of them admitted found a budget taken, and room held here must not count against it. Returns
   * the room given up per budget (the database still counts it until `shrunk` resolves).
   */
  surrender(organizationId: string, covering: CoveringBudget[]): { given: bigint[]; shrunk: Promise<void> } {
    const now = this.clock();
    const shrinking: Promise<void>[] = [];
    const given = covering.map((c) => {
      const key = keyOf(organizationId, c);
      const allowance = this.byKey.get(key);
      if (!allowance) return 0n;
      const room = allowance.room(now);
      this.byKey.delete(key);
      shrinking.push(this.retire(allowance));
      return room > 0n ? room : 0n;
    });
    return { given, shrunk: Promise.all(shrinking).then(() => {}) };
  }

  private retire(allowance: Allowance): Promise<void> {
    if (allowance.dead) return Promise.resolve();
    allowance.dead = true;
    if (allowance.granted === 0n && !allowance.asking) return Promise.resolve();
    if (allowance.pending > 0n) this.retiring.add(allowance);
    // What its calls in flight may still turn into spend stays held until they are recorded.
    return this.granter.shrink(allowance.id, allowance.pending).catch(this.onError);
  }

  private ask(allowance: Allowance, want: bigint) {
    const now = this.clock();
    if (allowance.asking || now < allowance.quietUntil || (allowance.dead && want > 0n)) return;
    allowance.asking = true;
    const { budget, subject, window } = allowance.covering;
    this.granter
      .grant({
        allowanceId: allowance.id,
        holder: this.holder,
        organizationId: allowance.organizationId,
        budgetId: budget.id,
        limitMicroUsd: budget.limitMicroUsd,
        subject,
        startDay: window.startDay,
        nextStartDay: window.nextStartDay,
        wantMicroUsd: want,
        ttlMs: ALLOWANCE_TTL_MS,
      })
      .then(
        (grant) => {
          if (!grant.alive) {
            allowance.dead = true;
            allowance.quietUntil = this.clock() + QUIET_AFTER_REFUSAL_MS;
            this.retiring.delete(allowance);
            return;
          }
          if (!allowance.dead) allowance.granted += grant.grantedMicroUsd;
          // Granted after it was given up: give that back too.
          else if (grant.grantedMicroUsd > 0n)
            this.granter.shrink(allowance.id, allowance.pending).catch(this.onError);
          // Counted from before the request left: the database's expiry is later than this.
          allowance.validUntil = now + ALLOWANCE_TTL_MS - EXPIRY_MARGIN_MS;
          if (grant.grantedMicroUsd < want) allowance.quietUntil = this.clock() + QUIET_AFTER_REFUSAL_MS;
        },
        (error: unknown) => {
          allowance.quietUntil = this.clock() + QUIET_AFTER_REFUSAL_MS;
          this.onError(error);
        },
      )
      .finally(() => {
        allowance.asking = false;
      });
  }

  /**
   * Calls in flight keep their allowances alive even when no new call comes to renew them; an
   * allowance nobody used for a while is given back, so its unused room does not count as spent for
   * the other replicas for longer than that.
   */
  tend(): void {
    const now = this.clock();
    for (const [key, allowance] of this.byKey) {
      if (now - allowance.lastUsed > IDLE_RETURN_MS && !allowance.asking) {
        this.byKey.delete(key);
        this.retire(allowance);
      }
      if (allowance.pending > 0n && allowance.validUntil - now < ALLOWANCE_TTL_MS / 2)
        this.ask(allowance, 0n);
    }
    for (const allowance of this.retiring) {
      if (allowance.pending === 0n) {
        this.retiring.delete(allowance);
        this.granter.shrink(allowance.id, 0n).catch(this.onError);
      } else if (allowance.validUntil - now < ALLOWANCE_TTL_MS / 2) this.ask(allowance, 0n);
    }
  }
}
