// Alert thresholds crossed by recorded spend: each (budget, subject, period, percentage) once, as a
// row (the unique index decides, so replicas recording at the same moment alert once), then a
// message to the organisation's webhook. Run after the ledger's write, off the call's path.
import type { Db } from "@studio/db";
import { enqueueWebhookMessage } from "../alerts/index.ts";
import { newId } from "../shared/ids.ts";
import {
  type BudgetState,
  budgetStates,
  budgetUsd,
  organizationBudgetRules,
  type SpendSubjects,
} from "./status.ts";

export interface BudgetCrossing {
  alertId: string;
  organizationId: string;
  budgetId: string;
  subject: string;
  percent: number;
  limitMicroUsd: bigint;
  spentMicroUsd: bigint;
  hard: boolean;
  text: string;
}

const PERIODS = { day: "daily", week: "weekly", month: "monthly" } as const;

function describe(state: BudgetState, percent: number, who: string): string {
  const { budget, spentMicroUsd } = state;
  const whose = budget.scope === "organization" ? "The organisation's" : `${who}'s`;
  const kind = budget.hard ? "" : " (soft)";
  return `${whose} ${PERIODS[budget.period]} budget${kind} has reached ${percent} %: ${budgetUsd(spentMicroUsd)} of ${budgetUsd(budget.limitMicroUsd)}.`;
}

async function subjectName(db: Db, state: BudgetState, who: SpendSubjects): Promise<string> {
  if (state.budget.scope === "api_token" && who.apiTokenId) {
    const token = await db.apiToken.findUnique({ where: { id: who.apiTokenId }, select: { name: true } });
    return `The API token “${token?.name ?? "?"}”`;
  }
  const user = await db.user.findUnique({ where: { id: who.userId }, select: { name: true } });
  return user?.name ?? "A member";
}

/** Records every threshold the subjects' spend has crossed this period and not yet alerted. */
export async function recordBudgetCrossings(
  db: Db,
  subjects: SpendSubjects[],
  now = new Date(),
): Promise<BudgetCrossing[]> {
  const distinct = new Map(subjects.map((s) => [`${s.organizationId}|${s.userId}|${s.apiTokenId ?? ""}`, s]));
  const crossings: BudgetCrossing[] = [];
  const rules = new Map<string, Awaited<ReturnType<typeof organizationBudgetRules>>>();
  for (const who of distinct.values()) {
    let org = rules.get(who.organizationId);
    if (!org) {
      org = await organizationBudgetRules(db, who.organizationId);
      rules.set(who.organizationId, org);
    }
    if (org.budgets.every((b) => b.alertPercents.length === 0)) continue;
    const states = await budgetStates(db, org.budgets, who, org.timeZone, now);
    for (const state of states) {
      const { budget, spentMicroUsd, subject, window } = state;
      const crossed = budget.alertPercents.filter(
        (percent) => spentMicroUsd * 100n >= budget.limitMicroUsd * BigInt(percent),
      );
      if (crossed.length === 0) continue;
      const inserted = await db.budgetAlert.createManyAndReturn({
        data: crossed.map((percent) => ({
          id: newId(),
          organizationId: who.organizationId,
          budgetId: budget.id,
          subject,
          periodStart: new Date(`${window.startDay}T00:00:00Z`),
          percent,
          limitMicroUsd: budget.limitMicroUsd,
          spentMicroUsd,
        })),
        skipDuplicates: true,
        select: { id: true, percent: true },
      });
      if (inserted.length === 0) continue;
      const name = await subjectName(db, state, who);
      // One message for the highest threshold crossed at once: 50 and 80 % in one call is one alert.
      const top = inserted.reduce((a, b) => (b.percent > a.percent ? b : a));
      const text = describe(state, top.percent, name);
      for (const row of inserted)
        crossings.push({
          alertId: row.id,
          organizationId: who.organizationId,
          budgetId: budget.id,
          subject,
          percent: row.percent,
          limitMicroUsd: budget.limitMicroUsd,
          spentMicroUsd,
          hard: budget.hard,
          text: describe(state, row.percent, name),
        });
      await enqueueWebhookMessage(db, who.organizationId, "budget_alert", {
        text,
        details: {
          budgetId: budget.id,
          scope: budget.scope,
          subject,
          period: budget.period,
          periodStart: window.startsAt.toISOString(),
          resetsAt: window.resetsAt.toISOString(),
          percent: top.percent,
          thresholds: inserted.map((row) => row.percent).sort((a, b) => a - b),
          limitMicroUsd: budget.limitMicroUsd.toString(),
          spentMicroUsd: spentMicroUsd.toString(),
          hard: budget.hard,
        },
      });
    }
  }
  return crossings;
}

/** The organisation's alerts, newest first (Settings → Budgets & limits). */
export async function listBudgetAlerts(db: Db, organizationId: string, limit = 50) {
  return db.budgetAlert.findMany({
    where: { organizationId },
    orderBy: [{ createdAt: "desc" }, { percent: "desc" }],
    take: limit,
    select: {
      id: true,
      subject: true,
      percent: true,
      limitMicroUsd: true,
      spentMicroUsd: true,
      periodStart: true,
      createdAt: true,
      budget: { select: { scope: true, period: true, hard: true } },
    },
  });
}
