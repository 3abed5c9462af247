import { useQuery } from "@tanstack/react-query";
import { Users } from "lucide-react";
import { Link } from "react-router";
import { Card, CardHeader } from "../../components/ui/Card.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { SkeletonRows } from "../../components/ui/Skeleton.tsx";
import { formatDateTime, formatRelative } from "../../lib/format.ts";
import { formatUsd } from "../../lib/money.ts";
import { type RouterOutputs, useTRPC } from "../../lib/trpc.ts";
import {
  formatPercent,
  orderMemberUsage,
  percentSpent,
  periodAdjective,
  thisPeriod,
} from "../budgets/budget-math.ts";
import { MyBudgetsCard } from "../budgets/MyBudgetsCard.tsx";
import { SpendBar, SpendBarLegend } from "../budgets/SpendBar.tsx";

type MemberUsage = RouterOutputs["budgets"]["members"][number];

/**
 * This period's spend against budget: every member's for owners and admins (with the projection
 * at the period's end), the person's own budgets for members.
 */
export function BudgetSpendCard({ manager }: { manager: boolean }) {
  return manager ? (
    <MemberSpendCard />
  ) : (
    <MyBudgetsCard headingId="your-budget-heading" title="Your budget" />
  );
}

function MemberSpendCard() {
  const trpc = useTRPC();
  const usage = useQuery(trpc.budgets.members.queryOptions(undefined, { refetchInterval: 60_000 }));

  return (
    <Card aria-labelledby="budget-spend-heading">
      <CardHeader
        id="budget-spend-heading"
        title="Spend against budget"
        description="Each member's spend this period, at the prices used, with where it is heading by the period's end."
        actions={
          <Link
            to="/settings/budgets"
            className="text-[13px] font-medium text-accent-soft-fg underline-offset-2 hover:underline"
          >
            Budgets & limits
          </Link>
        }
      />
      {usage.isPending ? (
        <SkeletonRows label="Loading spend against budget" rows={2} />
      ) : usage.isError ? (
        <ErrorState
          error={usage.error}
          onRetry={() => void usage.refetch()}
          title="Couldn't load spend against budget"
        />
      ) : usage.data.length === 0 ? (
        <EmptyState icon={Users} spacing="compact" title="No members yet" />
      ) : (
        <>
          <ul aria-label="Members' spend against budget" className="divide-y divide-line">
            {orderMemberUsage(usage.data).map((member) => (
              <MemberSpendRow key={member.userId} member={member} />
            ))}
          </ul>
          <div className="border-t border-line px-5 py-3">
            <SpendBarLegend />
          </div>
        </>
      )}
    </Card>
  );
}

function MemberSpendRow({ member }: { member: MemberUsage }) {
  const { budget } = member;
  const resets = (
    <time dateTime={member.resetsAt.toISOString()} title={formatDateTime(member.resetsAt)}>
      {formatRelative(member.resetsAt)}
    </time>
  );
  return (
    <li className="grid gap-x-6 gap-y-2 px-5 py-3.5 sm:grid-cols-[minmax(0,14rem)_minmax(0,1fr)] sm:items-center">
      <div className="min-w-0">
        <p className="truncate text-[13px] font-medium text-fg">{member.name}</p>
        <p className="truncate text-xs text-fg-muted">{member.email}</p>
      </div>
      {budget ? (
        <div className="min-w-0 space-y-1.5">
          <div className="flex flex-wrap items-baseline justify-between gap-x-3 text-xs">
            <span className="font-mono text-fg tabular-nums">
              {formatUsd(member.spentMicroUsd)} <span className="font-sans text-fg-muted">of</span>{" "}
              {formatUsd(budget.limitMicroUsd)}{" "}
              <span className="font-sans font-medium">
                ({formatPercent(percentSpent(member.spentMicroUsd, budget.limitMicroUsd))})
              </span>
            </span>
            <span className="text-fg-muted">
              projected {formatUsd(member.projectedMicroUsd)} · {periodAdjective(budget.period)}
              {budget.scope === "member_default" ? " default" : ""}
              {budget.hard ? ", hard" : ", soft"} · resets {resets}
            </span>
          </div>
          <SpendBar
            label={`${member.name}: spent ${thisPeriod(budget.period)}`}
            spentMicroUsd={member.spentMicroUsd}
            limitMicroUsd={budget.limitMicroUsd}
            projectedMicroUsd={member.projectedMicroUsd}
          />
        </div>
      ) : (
        <div className="flex flex-wrap items-baseline justify-between gap-x-3 text-xs">
          <span className="font-mono text-fg tabular-nums">
            {formatUsd(member.spentMicroUsd)} <span className="font-sans text-fg-muted">this month</span>
          </span>
          <span className="text-fg-muted">No budget · projected {formatUsd(member.projectedMicroUsd)}</span>
        </div>
      )}
    </li>
  );
}
