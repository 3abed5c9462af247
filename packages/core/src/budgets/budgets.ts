// Budgets as owners and admins set them, and what each person sees of them: every budget with this
// period's spend (Settings), each member's spend against their budget (Usage), and the budgets that
// cover oneself (everyone). One budget per subject: setting it again changes it.
import type { DbTx } from "@studio/db";
import type { SessionActor } from "../sessions/sessions.ts";
import { AppError, notFound } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import { type BudgetPeriod, periodWindow, projectedSpend } from "./periods.ts";
import type { BudgetScope, SetBudgetInput } from "./schemas.ts";
import {
  type BudgetRule,
  budgetRuleSelect,
  budgetStates,
  organizationBudgetRules,
  readSpend,
  spendSubjectOf,
} from "./status.ts";

export interface BudgetView {
  id: string;
  scope: BudgetScope;
  /** The member or token a budget is for; null for the organisation's and the members' default. */
  subject:
    | { kind: "member"; userId: string; name: string; email: string }
    | { kind: "token"; apiTokenId: string; name: string }
    | null;
  period: BudgetPeriod;
  limitMicroUsd: bigint;
  hard: boolean;
  alertPercents: number[];
  /** This period's spend; null for the members' default (each member's is on the Usage page). */
  spentMicroUsd: bigint | null;
  projectedMicroUsd: bigint | null;
  startsAt: Date;
  resetsAt: Date;
}

function subjectKeyOf(input: SetBudgetInput): string {
  if (input.scope === "member") return `member:${input.userId}`;
  if (input.scope === "api_token") return `token:${input.apiTokenId}`;
  return input.scope;
}

export async function setBudget(
  db: DbTx,
  actor: SessionActor,
  input: SetBudgetInput,
): Promise<{ id: string }> {
  if (input.scope === "member") {
    const member = await db.membership.findFirst({
      where: { organizationId: actor.organizationId, userId: input.userId! },
      select: { id: true },
    });
    if (!member) throw notFound("Member");
  }
  if (input.scope === "api_token") {
    const token = await db.apiToken.findFirst({
      where: { id: input.apiTokenId!, organizationId: actor.organizationId, revokedAt: null },
      select: { id: true },
    });
    if (!token) throw notFound("API token");
  }
  const subjectKey = subjectKeyOf(input);
  const values = {
    period: input.period,
    limitMicroUsd: BigInt(input.limitMicroUsd),
    hard: input.hard,
    alertPercents: input.alertPercents,
  };
  const budget = await db.budget.upsert({
    where: { organizationId_subjectKey: { organizationId: actor.organizationId, subjectKey } },
    create: {
      id: newId(),
      organizationId: actor.organizationId,
      scope: input.scope,
      userId: input.userId ?? null,
      apiTokenId: input.apiTokenId ?? null,
      subjectKey,
      ...values,
    },
    update: values,
    select: { id: true },
  });
  return budget;
}

export async function removeBudget(db: DbTx, actor: SessionActor, budgetId: string): Promise<void> {
  const { count } = await db.budget.deleteMany({
    where: { id: budgetId, organizationId: actor.organizationId },
  });
  if (count === 0) throw notFound("Budget");
}

/** Every budget of the organisation, with this period's spend against it. */
export async function listBudgets(db: DbTx, actor: SessionActor, now = new Date()): Promise<BudgetView[]> {
  const organization = await db.organization.findUnique({
    where: { id: actor.organizationId },
    select: {
      timeZone: true,
      budgets: {
        select: {
          ...budgetRuleSelect,
          user: { select: { name: true, email: true } },
          apiToken: { select: { name: true } },
        },
        orderBy: { createdAt: "asc" },
      },
    },
  });
  if (!organization) throw notFound("Organisation");
  const windows = organization.budgets.map((b) => periodWindow(b.period, now, organization.timeZone));
  const subjects = organization.budgets.map((b) =>
    b.scope === "member_default"
      ? null
      : spendSubjectOf(b, {
          organizationId: actor.organizationId,
          userId: b.userId ?? "",
          apiTokenId: b.apiTokenId,
        }),
  );
  const wanted = subjects.flatMap((subject, i) => (subject ? [{ subject, ...windows[i]! }] : []));
  const spent = await readSpend(db, actor.organizationId, wanted);
  let next = 0;
  return organization.budgets.map((b, i) => {
    const window = windows[i]!;
    const spentMicroUsd = subjects[i] ? spent[next++]! : null;
    return {
      id: b.id,
      scope: b.scope,
      subject:
        b.scope === "member" && b.user
          ? { kind: "member" as const, userId: b.userId!, name: b.user.name, email: b.user.email }
          : b.scope === "api_token" && b.apiToken
            ? { kind: "token" as const, apiTokenId: b.apiTokenId!, name: b.apiToken.name }
            : null,
      period: b.period,
      limitMicroUsd: b.limitMicroUsd,
      hard: b.hard,
      alertPercents: b.alertPercents,
      spentMicroUsd,
      projectedMicroUsd: spentMicroUsd === null ? null : projectedSpend(spentMicroUsd, window, now),
      startsAt: window.startsAt,
      resetsAt: window.resetsAt,
    };
  });
}

export interface CoveringBudgetView {
  budgetId: string;
  scope: BudgetScope;
  period: BudgetPeriod;
  limitMicroUsd: bigint;
  hard: boolean;
  spentMicroUsd: bigint;
  remainingMicroUsd: bigint;
  resetsAt: Date;
  /** The highest threshold crossed this period, if any (the banner's level). */
  crossedPercent: number | null;
}

/** The budgets that cover the actor's own model calls (and their token's), with what is left. */
export async function myBudgets(
  db: DbTx,
  actor: SessionActor,
  now = new Date(),
): Promise<CoveringBudgetView[]> {
  const { timeZone, budgets } = await organizationBudgetRules(db, actor.organizationId);
  const states = await budgetStates(db, budgets, actor, timeZone, now);
  return states.map(({ budget, spentMicroUsd, window }) => {
    const crossed = budget.alertPercents.filter(
      (percent) => spentMicroUsd * 100n >= budget.limitMicroUsd * BigInt(percent),
    );
    const remaining = budget.limitMicroUsd - spentMicroUsd;
    return {
      budgetId: budget.id,
      scope: budget.scope,
      period: budget.period,
      limitMicroUsd: budget.limitMicroUsd,
      hard: budget.hard,
      spentMicroUsd,
      remainingMicroUsd: remaining > 0n ? remaining : 0n,
      resetsAt: window.resetsAt,
      crossedPercent: crossed.length ? crossed[crossed.length - 1]! : null,
    };
  });
}

export interface MemberBudgetUsage {
  userId: string;
  name: string;
  email: string;
  /** Their own budget, else the members' default; null when neither is set. */
  budget: Pick<BudgetRule, "id" | "scope" | "period" | "limitMicroUsd" | "hard"> | null;
  /** Spend this period (the budget's, else this month). */
  spentMicroUsd: bigint;
  projectedMicroUsd: bigint;
  resetsAt: Date;
}

/** Each member's spend against their budget this period, with the projected spend at its end. */
export async function memberBudgetUsage(
  db: DbTx,
  actor: SessionActor,
  now = new Date(),
): Promise<MemberBudgetUsage[]> {
  const [{ timeZone, budgets }, members] = await Promise.all([
    organizationBudgetRules(db, actor.organizationId),
    db.membership.findMany({
      where: { organizationId: actor.organizationId },
      select: { user: { select: { id: true, name: true, email: true } } },
      orderBy: { createdAt: "asc" },
    }),
  ]);
  if (members.length > 500) throw new AppError("BAD_REQUEST", "Too many members to chart at once.");
  const fallback = budgets.find((b) => b.scope === "member_default") ?? null;
  const rows = members.map(({ user }) => {
    const budget = budgets.find((b) => b.scope === "member" && b.userId === user.id) ?? fallback;
    const window = periodWindow(budget?.period ?? "month", now, timeZone);
    return { user, budget, window };
  });
  const spent = await readSpend(
    db,
    actor.organizationId,
    rows.map(({ user, window }) => ({ subject: `member:${user.id}`, ...window })),
  );
  return rows.map(({ user, budget, window }, i) => ({
    userId: user.id,
    name: user.name,
    email: user.email,
    budget: budget
      ? {
          id: budget.id,
          scope: budget.scope,
          period: budget.period,
          limitMicroUsd: budget.limitMicroUsd,
          hard: budget.hard,
        }
      : null,
    spentMicroUsd: spent[i]!,
    projectedMicroUsd: projectedSpend(spent[i]!, window, now),
    resetsAt: window.resetsAt,
  }));
}
