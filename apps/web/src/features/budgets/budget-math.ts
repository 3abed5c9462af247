// What the budget screens compute from the API's micro-USD bigints: percentages for bars, the
// words for who a budget covers, typed thresholds and limits, and the banner's sentence. Pure, so
// the rules are tested without a browser.
import { formatDateTime } from "../../lib/format.ts";
import { parseUsd } from "../../lib/money.ts";
import type { RouterOutputs } from "../../lib/trpc.ts";

export type BudgetPeriod = "day" | "week" | "month";
export type BudgetScope = "organization" | "member_default" | "member" | "api_token";
export type BudgetSubject =
  | { kind: "member"; userId: string; name: string; email: string }
  | { kind: "token"; apiTokenId: string; name: string }
  | null;

/** $1,000,000 a period at most, as the API allows. */
export const MAX_LIMIT_MICRO_USD = 1_000_000_000_000n;
export const DEFAULT_THRESHOLDS = [50, 80, 100];
/** The banner speaks up from this much of a budget spent. */
export const BANNER_PERCENT = 80;

export const PERIOD_OPTIONS: { value: BudgetPeriod; label: string }[] = [
  { value: "month", label: "Monthly" },
  { value: "week", label: "Weekly" },
  { value: "day", label: "Daily" },
];

const PERIOD_ADJECTIVES: Record<BudgetPeriod, string> = { day: "daily", week: "weekly", month: "monthly" };
const PERIOD_NOUNS: Record<BudgetPeriod, string> = { day: "day", week: "week", month: "month" };

export function periodAdjective(period: BudgetPeriod): string {
  return PERIOD_ADJECTIVES[period];
}

/** "this month", "this week", "today". */
export function thisPeriod(period: BudgetPeriod): string {
  return period === "day" ? "today" : `this ${PERIOD_NOUNS[period]}`;
}

/**
 * Whole percent of a limit spent, rounded down so 99.9 % never reads as spent. A zero limit is
 * spent from the start (nothing may be spent under it).
 */
export function percentSpent(spent: bigint, limit: bigint): number {
  if (limit <= 0n) return 100;
  if (spent <= 0n) return 0;
  return Number((spent * 100n) / limit);
}

/** "80 %" as the studio writes percentages. */
export function formatPercent(percent: number): string {
  return `${percent} %`;
}

export interface BarGeometry {
  /** Share of the track the spend fills, 0–100. */
  spentWidth: number;
  /** Share the projected spend at the period's end reaches, 0–100 (never below the spend). */
  projectedWidth: number;
  /** Spend as a whole percent of the limit, not capped (a soft budget can go past 100). */
  percent: number;
  projectedPercent: number;
  over: boolean;
}

const clamp = (value: number) => Math.min(100, Math.max(0, value));

/** Where a bar of spend against a limit ends, and where the projection reaches. */
export function barGeometry(spent: bigint, limit: bigint, projected: bigint | null): BarGeometry {
  const percent = percentSpent(spent, limit);
  const projectedPercent = projected === null ? percent : Math.max(percent, percentSpent(projected, limit));
  return {
    spentWidth: clamp(percent),
    projectedWidth: clamp(projectedPercent),
    percent,
    projectedPercent,
    over: limit <= 0n ? true : spent >= limit,
  };
}

/** Who a budget covers, in the words of the budgets table. */
export function coverageLabel(scope: BudgetScope, subject: BudgetSubject): string {
  if (scope === "organization") return "Organisation";
  if (scope === "member_default") return "Every member (default)";
  if (subject?.kind === "member") return subject.name;
  if (subject?.kind === "token") return subject.name;
  return scope === "member" ? "A former member" : "A revoked API token";
}

export function scopeKindLabel(scope: BudgetScope): string {
  return {
    organization: "Whole organisation",
    member_default: "Default for members",
    member: "Member",
    api_token: "API token",
  }[scope];
}

export type ParsedThresholds = { ok: true; percents: number[] } | { ok: false; message: string };

/** "50, 80 100%" into sorted, distinct whole percentages between 1 and 1000, at most ten. */
export function parseThresholds(text: string): ParsedThresholds {
  const parts = text
    .split(/[\s,;]+/)
    .map((part) => part.replace(/%$/, "").trim())
    .filter(Boolean);
  const percents: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,4}$/.test(part))
      return { ok: false, message: `“${part}” is not a whole percentage. Write e.g. 50, 80, 100.` };
    const value = Number(part);
    if (value < 1 || value > 1000) return { ok: false, message: "Each threshold is between 1 % and 1000 %." };
    percents.push(value);
  }
  const distinct = [...new Set(percents)].sort((a, b) => a - b);
  if (distinct.length > 10) return { ok: false, message: "At most 10 thresholds." };
  return { ok: true, percents: distinct };
}

export function formatThresholds(percents: readonly number[]): string {
  return percents.join(", ");
}

export type ParsedLimit = { ok: true; microUsd: bigint } | { ok: false; message: string };

/** The limit as typed in dollars ("0.01", "$50", "1,000") into micro-USD within what the API takes. */
export function parseLimit(text: string): ParsedLimit {
  if (text.trim() === "") return { ok: false, message: "Enter the limit in dollars, e.g. 50 or 0.01." };
  const micro = parseUsd(text);
  if (micro === null) return { ok: false, message: "Enter dollars, e.g. 50 or 0.01 (up to six decimals)." };
  if (micro < 0n) return { ok: false, message: "A limit cannot be negative." };
  if (micro > MAX_LIMIT_MICRO_USD) return { ok: false, message: "A budget is at most $1,000,000 a period." };
  return { ok: true, microUsd: micro };
}

/** An organisation limit typed as a whole number, or empty for the studio's default (null). */
export type ParsedCount = { ok: true; value: number | null } | { ok: false; message: string };

export function parseOptionalCount(text: string, max: number): ParsedCount {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: true, value: null };
  if (!/^\d+$/.test(trimmed)) return { ok: false, message: "Enter a whole number, or leave it empty." };
  const value = Number(trimmed);
  if (value < 1) return { ok: false, message: "At least 1, or empty for the studio's default." };
  if (value > max) return { ok: false, message: `At most ${max.toLocaleString("en")}.` };
  return { ok: true, value };
}

/** A budget covering the person, as `budgets.mine` returns it. */
export type CoveringBudget = RouterOutputs["budgets"]["mine"][number];

/** "Your monthly budget", "The organisation's weekly budget". */
export function budgetName(budget: Pick<CoveringBudget, "scope" | "period">): string {
  const adjective = periodAdjective(budget.period);
  if (budget.scope === "organization") return `The organisation's ${adjective} budget`;
  if (budget.scope === "api_token") return `This API token's ${adjective} budget`;
  return `Your ${adjective} budget`;
}

export interface BannerMessage {
  budgetId: string;
  /** `spent`: a hard budget is spent and calls are refused; `warning`: a threshold of 80 % or more is crossed. */
  level: "spent" | "warning";
  title: string;
  text: string;
  /** Dismissals are remembered under this key, so a new period or level shows again. */
  dismissKey: string;
}

/**
 * What the banner says for the budgets covering the person: a spent hard budget first, then the
 * others past 80 %; empty when there is nothing to say.
 */
export function bannerMessages(
  budgets: readonly CoveringBudget[],
  format: (micro: bigint) => string,
  formatWhen: (date: Date) => string = formatDateTime,
): BannerMessage[] {
  const messages: BannerMessage[] = [];
  for (const budget of budgets) {
    const spent = budget.spentMicroUsd >= budget.limitMicroUsd;
    const percent = percentSpent(budget.spentMicroUsd, budget.limitMicroUsd);
    const warned = (budget.crossedPercent ?? 0) >= BANNER_PERCENT;
    const when = formatWhen(budget.resetsAt);
    const key = (level: string) => `${budget.budgetId}:${budget.resetsAt.toISOString()}:${level}`;
    if (budget.hard && spent) {
      messages.push({
        budgetId: budget.budgetId,
        level: "spent",
        title: `${budgetName(budget)} of ${format(budget.limitMicroUsd)} is spent.`,
        text: `The agent's model calls are refused until it resets on ${when}.`,
        dismissKey: key("spent"),
      });
    } else if (warned || (spent && !budget.hard)) {
      messages.push({
        budgetId: budget.budgetId,
        level: "warning",
        title: `${budgetName(budget)} is ${formatPercent(percent)} spent.`,
        text: `${format(budget.spentMicroUsd)} of ${format(budget.limitMicroUsd)} used; it resets on ${when}.${budget.hard ? " Model calls are refused once it is spent." : ""}`,
        dismissKey: key("warning"),
      });
    }
  }
  return messages.sort(
    (a, b) =>
      (a.level === "spent" ? 0 : 1) - (b.level === "spent" ? 0 : 1) || a.budgetId.localeCompare(b.budgetId),
  );
}

/**
 * Whom an alert's spend row is about (`org`, `member:<id>`, `token:<id>`), named from what the page
 * already knows; an id nobody knows any more stays generic rather than showing an id.
 */
export function alertSubjectLabel(
  subject: string,
  memberNames: ReadonlyMap<string, string>,
  tokenNames: ReadonlyMap<string, string>,
): string {
  if (subject === "org") return "Organisation";
  const [kind, id = ""] = subject.split(/:(.*)/s);
  if (kind === "member") return memberNames.get(id) ?? "A former member";
  if (kind === "token") return tokenNames.get(id) ?? "An API token";
  return "Organisation";
}

interface MemberSpend {
  name: string;
  budget: { limitMicroUsd: bigint } | null;
  spentMicroUsd: bigint;
}

/** Members nearest their limit first, then those without a budget by what they spent, then by name. */
export function orderMemberUsage<T extends MemberSpend>(rows: readonly T[]): T[] {
  const rank = (row: T) => (row.budget ? percentSpent(row.spentMicroUsd, row.budget.limitMicroUsd) : -1);
  return [...rows].sort((a, b) => {
    const byPercent = rank(b) - rank(a);
    if (byPercent !== 0) return byPercent;
    if (b.spentMicroUsd !== a.spentMicroUsd) return b.spentMicroUsd > a.spentMicroUsd ? 1 : -1;
    return a.name.localeCompare(b.name);
  });
}
