import { useQuery } from "@tanstack/react-query";
import { BellRing } from "lucide-react";
import { useMemo } from "react";
import { Badge } from "../../components/ui/Badge.tsx";
import { Card, CardHeader } from "../../components/ui/Card.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { SkeletonRows } from "../../components/ui/Skeleton.tsx";
import { type TableColumn, TableHead } from "../../components/ui/Table.tsx";
import { formatDateTime, formatRelative } from "../../lib/format.ts";
import { formatUsd } from "../../lib/money.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { alertSubjectLabel, formatPercent, periodAdjective } from "./budget-math.ts";

const COLUMNS: TableColumn[] = [
  { label: "When" },
  { label: "Budget" },
  { label: "Crossed" },
  { label: "Spent of limit", from: "sm" },
];

/** Threshold crossings, newest first: each is recorded once per budget, threshold and period. */
export function BudgetAlertsCard() {
  const trpc = useTRPC();
  const alerts = useQuery(trpc.budgets.alerts.queryOptions(undefined, { refetchInterval: 60_000 }));
  const members = useQuery(trpc.members.list.queryOptions());
  const budgets = useQuery(trpc.budgets.list.queryOptions());
  const memberNames = useMemo(
    () => new Map((members.data ?? []).map((member) => [member.userId, member.name])),
    [members.data],
  );
  const tokenNames = useMemo(
    () =>
      new Map(
        (budgets.data ?? []).flatMap((budget) =>
          budget.subject?.kind === "token" ? [[budget.subject.apiTokenId, budget.subject.name] as const] : [],
        ),
      ),
    [budgets.data],
  );

  return (
    <Card aria-labelledby="budget-alerts-heading">
      <CardHeader
        id="budget-alerts-heading"
        title="Recent alerts"
        description="Each threshold a budget crosses, once a period. The people concerned see a banner, and the webhook below is told."
      />
      {alerts.isPending ? (
        <SkeletonRows label="Loading alerts" rows={2} />
      ) : alerts.isError ? (
        <ErrorState error={alerts.error} onRetry={() => void alerts.refetch()} title="Couldn't load alerts" />
      ) : alerts.data.length === 0 ? (
        <EmptyState
          icon={BellRing}
          spacing="compact"
          title="No alerts yet"
          description="When spend crosses one of a budget's thresholds, it is listed here."
        />
      ) : (
        <div className="relative max-h-96 overflow-auto">
          <table className="w-full text-left text-[13px]">
            <TableHead columns={COLUMNS} />
            <tbody className="divide-y divide-line">
              {alerts.data.map((alert) => (
                <tr key={alert.id}>
                  <td className="py-2.5 pr-3 pl-4 whitespace-nowrap text-fg-muted sm:pl-5">
                    <time dateTime={alert.createdAt.toISOString()} title={formatDateTime(alert.createdAt)}>
                      {formatRelative(alert.createdAt)}
                    </time>
                  </td>
                  <td className="px-3 py-2.5">
                    <span className="font-medium text-fg">
                      {alertSubjectLabel(alert.subject, memberNames, tokenNames)}
                    </span>
                    <span className="text-fg-muted">
                      {" "}
                      · {periodAdjective(alert.budget.period)}, {alert.budget.hard ? "hard" : "soft"}
                    </span>
                  </td>
                  <td className="px-3 py-2.5">
                    <Badge
                      tone={alert.percent >= 100 ? "danger" : alert.percent >= 80 ? "warning" : "neutral"}
                    >
                      {formatPercent(alert.percent)}
                    </Badge>
                  </td>
                  <td className="hidden py-2.5 pr-4 pl-3 font-mono whitespace-nowrap text-fg-muted tabular-nums sm:table-cell sm:pr-5">
                    {formatUsd(alert.spentMicroUsd)} of {formatUsd(alert.limitMicroUsd)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
