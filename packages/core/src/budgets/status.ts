// Which budgets cover a model call, and how much of each has been spent this period. A call is
// covered by the organisation's budget, its member's (their own, else the members' default) and,
// for a session a program started, its API token's. Spend comes from the daily rows the ledger's
// statement writes (record-call-sql.ts), summed over the period: read fresh, so every replica sees
// a budget reached as soon as the call that reached it is in the ledger.
import type { DbTx } from "@studio/db";
import { formatUsd } from "../billing/pricing.ts";
import { type BudgetPeriod, type PeriodWindow, periodWindow } from "./periods.ts";
import type { BudgetScope } from "./schemas.ts";

/** Whose spend a call adds to. */
export interface SpendSubjects {
  organizationId: string;
  userId: string;
  apiTokenId?: string | null | undefined;
}

export interface BudgetRule {
  id: string;
  scope: BudgetScope;
  subjectKey: string;
  userId: string | null;
  apiTokenId: string | null;
  period: BudgetPeriod;
  limitMicroUsd: bigint;
  hard: boolean;
  alertPercents: number[];
}

export interface BudgetState {
  budget: BudgetRule;
  /** The spend row key: `org`, `member:<id>`, `token:<id>`. */
  subject: string;
  window: PeriodWindow;
  spentMicroUsd: bigint;
}

export const budgetRuleSelect = {
  id: true,
  scope: true,
  subjectKey: true,
  userId: true,
  apiTokenId: true,
  period: true,
  limitMicroUsd: true,
  hard: true,
  alertPercents: true,
} as const;

/** The spend row key a budget counts, for the subjects of one call. */
export function spendSubjectOf(budget: Pick<BudgetRule, "scope">, who: SpendSubjects): string | null {
  if (budget.scope === "organization") return "org";
  if (budget.scope === "api_token") return who.apiTokenId ? `token:${who.apiTokenId}` : null;
  return `member:${who.userId}`;
}

/** The organisation's budgets that cover a call by `who` (a member's own budget replaces the default). */
export function budgetsCovering(budgets: BudgetRule[], who: SpendSubjects): BudgetRule[] {
  const own = budgets.some((b) => b.scope === "member" && b.userId === who.userId);
  return budgets.filter((b) => {
    if (b.scope === "organization") return true;
    if (b.scope === "member") return b.userId === who.userId;
    if (b.scope === "member_default") return !own;
    return !!who.apiTokenId && b.apiTokenId === who.apiTokenId;
  });
}

export interface SpendWanted {
  subject: string;
  startDay: string;
  nextStartDay: string;
}

/**
 * Spend within each period (start day inclusive, next start exclusive), in the order asked. One
 * text for both callers: Prisma here, and the gateway's prepared statement on the pool (its hot path).
 */
export const READ_SPEND_SQL = `
  SELECT COALESCE(sum(d.spent_micro_usd), 0)::text AS spent
  FROM unnest($2::text[], $3::date[], $4::date[]) WITH ORDINALITY AS u(subject, since, until, i)
  LEFT JOIN budget_spend_days d
    ON d.organization_id = $1 AND d.subject = u.subject AND d.day >= u.since AND d.day < u.until
  GROUP BY u.i ORDER BY u.i`;

export function readSpendValues(organizationId: string, wanted: SpendWanted[]): unknown[] {
  return [
    organizationId,
    wanted.map((w) => w.subject),
    wanted.map((w) => w.startDay),
    wanted.map((w) => w.nextStartDay),
  ];
}

export async function readSpend(db: DbTx, organizationId: string, wanted: SpendWanted[]): Promise<bigint[]> {
  if (wanted.length === 0) return [];
  const rows = await db.$queryRawUnsafe<{ spent: string }[]>(
    READ_SPEND_SQL,
    ...readSpendValues(organizationId, wanted),
  );
  return rows.map((row) => BigInt(row.spent));
}

/** The covering budgets' periods now, in the organisation's time zone (what readSpend is asked). */
export function coveringWindows(budgets: BudgetRule[], who: SpendSubjects, timeZone: string, now: Date) {
  return budgetsCovering(budgets, who).flatMap((budget) => {
    const subject = spendSubjectOf(budget, who);
    return subject ? [{ budget, subject, window: periodWindow(budget.period, now, timeZone) }] : [];
  });
}

/** Each covering budget with this period's window and spend. */
export async function budgetStates(
  db: DbTx,
  budgets: BudgetRule[],
  who: SpendSubjects,
  timeZone: string,
  now: Date,
): Promise<BudgetState[]> {
  const covering = coveringWindows(budgets, who, timeZone, now);
  const spent = await readSpend(
    db,
    who.organizationId,
    covering.map(({ subject, window }) => ({ subject, ...window })),
  );
  return covering.map((state, index) => ({ ...state, spentMicroUsd: spent[index]! }));
}

/** The organisation's budgets and time zone, as the gateway and session creation read them. */
export async function organizationBudgetRules(
  db: DbTx,
  organizationId: string,
): Promise<{ timeZone: string; budgets: BudgetRule[] }> {
  const organization = await db.organization.findUnique({
    where: { id: organizationId },
    select: { timeZone: true, budgets: { select: budgetRuleSelect } },
  });
  return { timeZone: organization?.timeZone ?? "UTC", budgets: organization?.budgets ?? [] };
}

/** The first hard budget reached, if any: what a refusal names. */
export function reachedHardBudget(states: BudgetState[]): BudgetState | null {
  return states.find((s) => s.budget.hard && s.spentMicroUsd >= s.budget.limitMicroUsd) ?? null;
}

const SCOPE_NAMES: Record<BudgetScope, string> = {
  organization: "The organisation's",
  member_default: "Your",
  member: "Your",
  api_token: "This API token's",
};
const PERIOD_NAMES: Record<BudgetPeriod, string> = { day: "daily", week: "weekly", month: "monthly" };

/** Dollars as people write budgets: cents when the amount has no finer part. */
export function budgetUsd(micro: bigint): string {
  if (micro % 10_000n !== 0n) return formatUsd(micro);
  const cents = micro / 10_000n;
  return `$${cents / 100n}.${String(cents % 100n).padStart(2, "0")}`;
}

/** "1 July 2026 at 00:00 (Europe/Paris)": when a period ends, as the organisation's clocks say it. */
export function formatResetsAt(at: Date, timeZone: string): string {
  const local = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeStyle: "short", timeZone }).format(
    at,
  );
  return `${local} (${timeZone})`;
}

/** "The organisation's monthly budget of $50.00 is spent. It resets on 1 July 2026 at 00:00 (UTC)." */
export function budgetReachedMessage(state: BudgetState, timeZone: string): string {
  const { budget, window } = state;
  return `${SCOPE_NAMES[budget.scope]} ${PERIOD_NAMES[budget.period]} budget of ${budgetUsd(budget.limitMicroUsd)} is spent. It resets on ${formatResetsAt(window.resetsAt, timeZone)}.`;
}
