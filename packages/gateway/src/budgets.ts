// Budgets at the gateway: a call is refused (402) once a hard budget covering it (the
// organisation's, its member's, its API token's) is spent this period. The budgets themselves are
// cached for a moment per organisation, like sessions. A call whose worst-case cost the request
// bounds is admitted from this replica's allowances when they have room (allowances.ts: no database
// on its path); any other is admitted by reading the spend and what other replicas hold, so a
// budget reached through one replica is refused by every replica from the moment the ledger holds
// the call that reached it. Calls a hard budget does not cover cost nothing.
import { randomUUID } from "node:crypto";
import {
  type BudgetRule,
  type BudgetState,
  budgetReachedMessage,
  budgetsCovering,
  coveringWindows,
  grantAllowance,
  organizationBudgetRules,
  paysWithCredits,
  READ_ADMISSION_SQL,
  readSpendValues,
  shrinkAllowance,
} from "@studio/core";
import type { Db, SqlPool } from "@studio/db";
import type { NotificationListener } from "@studio/db/notifications";
import type { GatewaySession } from "./access.ts";
import { type AllowanceHold, Allowances, type CoveringBudget } from "./allowances.ts";
import type { RootMembers, WireFormat } from "./metering/index.ts";
import type { PriceCache } from "./price-cache.ts";
import { GatewayRefusal } from "./refusal.ts";
import { worstCaseCostMicroUsd } from "./worst-case.ts";

/** How fresh an organisation's budgets are kept while it calls (a change applies within this)... */
const RULES_REFRESH_MS = 2_000;
/** ...and how long a copy may serve at most, when nobody called in between. */
const RULES_TTL_MS = 10_000;

interface CachedRules {
  timeZone: string;
  budgets: BudgetRule[];
  refreshAt: number;
  expiresAt: number;
}

/** What a refusal tells the agent's client, besides the sentence. */
export function budgetHeaders(state: BudgetState): Record<string, string> {
  const remaining = state.budget.limitMicroUsd - state.spentMicroUsd;
  return {
    "x-studio-budget-scope": state.budget.scope,
    "x-studio-budget-limit-micro-usd": state.budget.limitMicroUsd.toString(),
    "x-studio-budget-remaining-micro-usd": (remaining > 0n ? remaining : 0n).toString(),
    "x-studio-budget-resets-at": state.window.resetsAt.toISOString(),
  };
}

/**
 * Asks every replica to give back the unused room of its allowances for one subject and period: a
 * replica reading exactly found the budget taken, but only because others hold room for it.
 */
const RECALL_CHANNEL = "studio_budget_recall";
/** How long a call waits for a recall before the budget is read again... */
const RECALL_WAIT_MS = 150;
/** ...and how many times, at most, while allowances still hold some of it. */
const RECALL_LOOKS = 3;

interface Recall {
  organizationId: string;
  subject: string;
  startDay: string;
  from: string;
}

function parseRecall(payload: string): Recall | null {
  try {
    const value = JSON.parse(payload) as Partial<Recall>;
    const fields = [value.organizationId, value.subject, value.startDay, value.from];
    return fields.every((field) => typeof field === "string") ? (value as Recall) : null;
  } catch {
    return null;
  }
}

export interface BudgetsOptions {
  db: Db;
  pool: SqlPool;
  platformMarkupBps: number;
  /** The recorder's price cache: a worst case is priced as the call will be. */
  prices: PriceCache;
  /** Where recalls reach this replica, and others; null: no recalls (others' room counts until it lapses). */
  notifications: NotificationListener | null;
  onError: (error: unknown) => void;
  now?: () => Date;
}

type HeldState = BudgetState & { reservedMicroUsd: bigint };

/** The first budget that spend and what allowances hold have taken, if any. */
const firstTaken = (states: HeldState[]) =>
  states.find((state) => state.spentMicroUsd + state.reservedMicroUsd >= state.budget.limitMicroUsd) ?? null;

/** The hard budgets covering one session's calls now, and how their periods are counted. */
export interface CoveredCall {
  timeZone: string;
  covering: CoveringBudget[];
}

/** What the budget check needs of a call's request, once its body has arrived. */
export interface CallRequest {
  format: WireFormat;
  body: Buffer;
  root: RootMembers;
  model: string;
}

export class GatewayBudgets {
  private readonly rules = new Map<string, CachedRules | Promise<CachedRules>>();
  private readonly refreshing = new Set<string>();
  /** This replica, as the allowances it holds name it. */
  private readonly holder = randomUUID();
  private readonly allowances: Allowances;
  private readonly prices: PriceCache;
  /** Calls covered by a hard budget, by how they were admitted (tests, diagnostics). */
  readonly admitted = { fromAllowances: 0, byReading: 0 };

  private readonly db: Db;
  private readonly pool: SqlPool;
  private readonly platformMarkupBps: number;
  private readonly notifications: NotificationListener | null;
  private readonly now: () => Date;
  private readonly unsubscribe: () => void;

  constructor(options: BudgetsOptions) {
    const { db } = options;
    this.db = db;
    this.pool = options.pool;
    this.platformMarkupBps = options.platformMarkupBps;
    this.notifications = options.notifications;
    this.now = options.now ?? (() => new Date());
    this.prices = options.prices;
    this.allowances = new Allowances(
      {
        grant: (request) => grantAllowance(db, request),
        shrink: (id, keep) => shrinkAllowance(db, id, keep),
      },
      this.holder,
      options.onError,
    );
    this.unsubscribe =
      this.notifications?.subscribe(RECALL_CHANNEL, (payload) => {
        const recall = parseRecall(payload);
        if (recall && recall.from !== this.holder) this.allowances.recall(recall);
      }) ?? (() => {});
  }

  /**
   * An organisation's budgets: re-read in the background every RULES_REFRESH_MS while it calls, so a
   * call never waits for them once they are known; a copy older than RULES_TTL_MS is never used.
   */
  private async rulesFor(organizationId: string): Promise<CachedRules> {
    const cached = this.rules.get(organizationId);
    const now = Date.now();
    if (cached && !(cached instanceof Promise) && cached.expiresAt > now) {
      if (cached.refreshAt <= now && !this.refreshing.has(organizationId)) {
        this.refreshing.add(organizationId);
        void this.load(organizationId)
          .catch(() => {})
          .finally(() => this.refreshing.delete(organizationId));
      }
      return cached;
    }
    if (cached instanceof Promise) return cached;
    const loading = this.load(organizationId);
    this.rules.set(organizationId, loading);
    return loading;
  }

  private load(organizationId: string): Promise<CachedRules> {
    return organizationBudgetRules(this.db, organizationId).then(
      (rules) => {
        const current = new Map(rules.budgets.map((budget) => [budget.id, budget]));
        this.allowances.retain(organizationId, ({ budget }) => {
          const now = current.get(budget.id);
          return !!now?.hard && now.limitMicroUsd === budget.limitMicroUsd && now.period === budget.period;
        });
        const entry = {
          ...rules,
          refreshAt: Date.now() + RULES_REFRESH_MS,
          expiresAt: Date.now() + RULES_TTL_MS,
        };
        this.rules.set(organizationId, entry);
        return entry;
      },
      (error: unknown) => {
        if (this.rules.get(organizationId) instanceof Promise) this.rules.delete(organizationId);
        throw error;
      },
    );
  }

  /** The hard budgets covering a session's calls, from memory once its organisation's are known. */
  async covering(session: GatewaySession): Promise<CoveredCall> {
    const { timeZone, budgets } = await this.rulesFor(session.organizationId);
    if (!budgets.some((budget) => budget.hard)) return { timeZone, covering: [] };
    const who = {
      organizationId: session.organizationId,
      userId: session.userId,
      apiTokenId: session.apiTokenId,
    };
    // A member's own soft budget still replaces the members' hard default: cover first, then filter.
    const hard = budgetsCovering(budgets, who).filter((budget) => budget.hard);
    return { timeZone, covering: coveringWindows(hard, who, timeZone, this.now()) };
  }

  /**
   * Admits a call the covering budgets have room for, from allowances when its worst case is known
   * and fits (the hold returned is ended by the recorder), else by the exact read (null); throws the
   * 402 that answers a call a spent hard budget covers.
   */
  async admit(
    session: GatewaySession,
    covered: CoveredCall,
    call: CallRequest,
  ): Promise<AllowanceHold | null> {
    if (covered.covering.length === 0) return null;
    const price = this.prices.peek(session.organizationId, session.upstreamProvider, call.model, this.now());
    const markupBps = paysWithCredits(session) ? this.platformMarkupBps : 0;
    const worstCase =
      price === undefined ? null : worstCaseCostMicroUsd(call.format, call.body, call.root, price, markupBps);
    if (worstCase !== null) {
      const hold = this.allowances.tryHold(session.organizationId, covered.covering, worstCase);
      if (hold) {
        this.admitted.fromAllowances += 1;
        return hold;
      }
    }
    await this.readExactly(session, covered);
    this.admitted.byReading += 1;
    return null;
  }

  /** Spend and what allowances hold, read now: what a call no allowance covers is admitted by. */
  private async readExactly(session: GatewaySession, covered: CoveredCall): Promise<void> {
    const { organizationId } = session;
    let states = await this.readStates(session, covered);
    let reached = firstTaken(states);
    if (reached) {
      // Room this replica holds is given up at once, so it does not count against this call.
      const { given, shrunk } = this.allowances.surrender(organizationId, covered.covering);
      states = states.map((state, i) => ({ ...state, reservedMicroUsd: state.reservedMicroUsd - given[i]! }));
      reached = firstTaken(states);
      // Taken only because other replicas hold room that may go unused: ask for it back, look again.
      if (reached && reached.spentMicroUsd < reached.budget.limitMicroUsd && this.notifications) {
        await shrunk;
        await this.pool.query("SELECT pg_notify($1, $2)", [
          RECALL_CHANNEL,
          JSON.stringify({
            organizationId,
            subject: reached.subject,
            startDay: reached.window.startDay,
            from: this.holder,
          } satisfies Recall),
        ]);
        // A busy replica may take a moment to give its room back: look again while some is left.
        for (let look = 0; look < RECALL_LOOKS && reached && reached.reservedMicroUsd > 0n; look++) {
          await new Promise((resolve) => setTimeout(resolve, RECALL_WAIT_MS));
          reached = firstTaken(await this.readStates(session, covered));
        }
      }
    }
    if (reached) {
      // What allowances still hold is counted as spent: it is, or is about to be.
      const taken = { ...reached, spentMicroUsd: reached.spentMicroUsd + reached.reservedMicroUsd };
      throw new GatewayRefusal(
        402,
        budgetReachedMessage(taken, covered.timeZone),
        "budget_exceeded",
        budgetHeaders(taken),
      );
    }
  }

  /** Each covering budget's spend this period, and what live allowances hold of it. */
  private async readStates(session: GatewaySession, { covering }: CoveredCall): Promise<HeldState[]> {
    // A prepared statement on the pool: this is on the path of every call no allowance covers.
    const { rows } = await this.pool.query<{ spent: string; reserved: string }>({
      name: "studio_read_budget_admission",
      text: READ_ADMISSION_SQL,
      values: readSpendValues(
        session.organizationId,
        covering.map(({ subject, window }) => ({ subject, ...window })),
      ),
    });
    return covering.map((state, i) => ({
      ...state,
      spentMicroUsd: BigInt(rows[i]!.spent),
      reservedMicroUsd: BigInt(rows[i]!.reserved),
    }));
  }

  close(): void {
    this.unsubscribe();
    this.allowances.close();
  }
}
