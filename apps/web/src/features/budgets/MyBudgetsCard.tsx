import { useQuery } from "@tanstack/react-query";
import { PiggyBank } from "lucide-react";
import { Badge } from "../../components/ui/Badge.tsx";
import { Card, CardHeader } from "../../components/ui/Card.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { SkeletonRows } from "../../components/ui/Skeleton.tsx";
import { formatDateTime, formatRelative } from "../../lib/format.ts";
import { formatUsd } from "../../lib/money.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { budgetName, formatPercent, percentSpent, thisPeriod } from "./budget-math.ts";
import { SpendBar } from "./SpendBar.tsx";

/** The budgets covering the signed-in person's own model calls: what is left and when it resets. */
export function MyBudgetsCard({
  headingId = "my-budgets-heading",
  title = "Your budgets",
}: {
  headingId?: string;
  title?: string;
}) {
  const trpc = useTRPC();
  const mine = useQuery(trpc.budgets.mine.queryOptions(undefined, { refetchInterval: 60_000 }));

  return (
    <Card aria-labelledby={headingId}>
      <CardHeader
        id={headingId}
        title={title}
        description="Limits owners and admins set on what your sessions' model calls may cost."
      />
      {mine.isPending ? (
        <SkeletonRows label="Loading your budgets" rows={1} />
      ) : mine.isError ? (
        <ErrorState
          error={mine.error}
          onRetry={() => void mine.refetch()}
          title="Couldn't load your budgets"
        />
      ) : mine.data.length === 0 ? (
        <EmptyState
          icon={PiggyBank}
          spacing="compact"
          title="No budget covers you"
          description="Your sessions' model calls have no spending limit besides the organisation's credits."
        />
      ) : (
        <ul className="divide-y divide-line">
          {mine.data.map((budget) => {
            const name = budgetName(budget);
            const spent = budget.spentMicroUsd >= budget.limitMicroUsd;
            return (
              <li key={budget.budgetId} className="space-y-2 px-5 py-4">
                <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
                  <p className="flex items-center gap-2 font-medium text-fg">
                    {name}
                    {budget.hard ? <Badge tone="danger">Hard</Badge> : <Badge tone="accent">Soft</Badge>}
                  </p>
                  <p className="font-mono text-[13px] text-fg tabular-nums">
                    {spent && budget.hard ? (
                      <span className="font-sans font-medium text-danger-soft-fg">Spent</span>
                    ) : (
                      <>
                        {formatUsd(budget.remainingMicroUsd)}{" "}
                        <span className="font-sans text-fg-muted">left</span>
                      </>
                    )}
                  </p>
                </div>
                <SpendBar
                  label={`${name}: spent ${thisPeriod(budget.period)}`}
                  spentMicroUsd={budget.spentMicroUsd}
                  limitMicroUsd={budget.limitMicroUsd}
                  projectedMicroUsd={null}
                />
                <p className="text-xs text-fg-muted">
                  {formatUsd(budget.spentMicroUsd)} of {formatUsd(budget.limitMicroUsd)} spent (
                  {formatPercent(percentSpent(budget.spentMicroUsd, budget.limitMicroUsd))}) · resets{" "}
                  <time dateTime={budget.resetsAt.toISOString()} title={formatDateTime(budget.resetsAt)}>
                    {formatRelative(budget.resetsAt)}
                  </time>
                  {budget.hard ? " · model calls are refused once it is spent" : " · only alerts"}
                </p>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
