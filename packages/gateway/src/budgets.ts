// Budgets at the gateway: a call is refused (402) once a hard budget covering it (the
// organisation's, its member's, its API token's) is spent this period. The budgets themselves are
// cached for a moment per organisation, like sessions; their spend is read on every call that a hard
// budget covers, so a budget reached through one replica is refused by every replica from the
// moment the ledger holds the call that reached it. Calls a hard budget does not cover cost nothing.
import {
  type BudgetRule,
  type BudgetState,
  budgetReachedMessage,
  budgetsCovering,
  coveringWindows,
  organizationBudgetRules,
  READ_SPEND_SQL,
  reachedHardBudget,
  readSpendValues,
} from "@studio/core";
import type { Db, SqlPool } from "@studio/db";
import type { GatewaySession } from "./access.ts";
import { GatewayRefusal } from "./refusal.ts";

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

export class GatewayBudgets {
  private readonly rules = new Map<string, CachedRules | Promise<CachedRules>>();
  private readonly refreshing = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly pool: SqlPool,
    private readonly now: () => Date = () => new Date(),
  ) {}

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

  /** Throws the 402 that answers a call a spent hard budget covers; the reached budget's state otherwise null. */
  async admit(session: GatewaySession): Promise<void> {
    const { timeZone, budgets } = await this.rulesFor(session.organizationId);
    if (budgets.length === 0) return;
    const who = {
      organizationId: session.organizationId,
      userId: session.userId,
      apiTokenId: session.apiTokenId,
    };
    const hard = budgetsCovering(budgets, who).filter((budget) => budget.hard);
    if (hard.length === 0) return;
    const covering = coveringWindows(hard, who, timeZone, this.now());
    // A prepared statement on the pool: this is on every covered call's path.
    const { rows } = await this.pool.query<{ spent: string }>({
      name: "studio_read_budget_spend",
      text: READ_SPEND_SQL,
      values: readSpendValues(
        session.organizationId,
        covering.map(({ subject, window }) => ({ subject, ...window })),
      ),
    });
    const states = covering.map((state, i) => ({ ...state, spentMicroUsd: BigInt(rows[i]!.spent) }));
    const reached = reachedHardBudget(states);
    if (reached)
      throw new GatewayRefusal(
        402,
        budgetReachedMessage(reached, timeZone),
        "budget_exceeded",
        budgetHeaders(reached),
      );
  }
}
