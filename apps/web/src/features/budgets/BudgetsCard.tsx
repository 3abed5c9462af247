import { useQuery } from "@tanstack/react-query";
import { Pencil, PiggyBank, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";
import { Badge } from "../../components/ui/Badge.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Card, CardHeader } from "../../components/ui/Card.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { SkeletonRows } from "../../components/ui/Skeleton.tsx";
import { ACTIONS_COLUMN, type TableColumn, TableHead } from "../../components/ui/Table.tsx";
import { formatDateTime, formatRelative } from "../../lib/format.ts";
import { formatUsd } from "../../lib/money.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { type Budget, BudgetDialog, type BudgetTarget } from "./BudgetDialog.tsx";
import {
  coverageLabel,
  formatPercent,
  PERIOD_OPTIONS,
  percentSpent,
  scopeKindLabel,
  thisPeriod,
} from "./budget-math.ts";
import { RemoveBudgetDialog } from "./RemoveBudgetDialog.tsx";
import { SpendBar, SpendBarLegend } from "./SpendBar.tsx";

const COLUMNS: TableColumn[] = [
  { label: "Covers" },
  { label: "Limit" },
  { label: "Spend this period", from: "md" },
  { label: "When reached", from: "sm" },
  ACTIONS_COLUMN,
];

const periodLabel = (period: Budget["period"]) =>
  PERIOD_OPTIONS.find((option) => option.value === period)?.label ?? period;

/** Every budget of the organisation with this period's spend, for owners and admins to change. */
export function BudgetsCard() {
  const trpc = useTRPC();
  const budgets = useQuery(trpc.budgets.list.queryOptions());
  const [target, setTarget] = useState<BudgetTarget | null>(null);
  const [removing, setRemoving] = useState<Budget | null>(null);
  const addButton = (
    <Button icon={<Plus />} onClick={() => setTarget({ mode: "add" })}>
      Add budget
    </Button>
  );

  return (
    <Card aria-labelledby="budgets-heading">
      <CardHeader
        id="budgets-heading"
        title="Budgets"
        description="What a period may cost, at the prices used. A hard budget refuses model calls once spent; a soft one only alerts."
        actions={budgets.data && budgets.data.length > 0 ? addButton : null}
      />
      {budgets.isPending ? (
        <SkeletonRows label="Loading budgets" rows={3} />
      ) : budgets.isError ? (
        <ErrorState
          error={budgets.error}
          onRetry={() => void budgets.refetch()}
          title="Couldn't load budgets"
        />
      ) : budgets.data.length === 0 ? (
        <EmptyState
          icon={PiggyBank}
          title="No budgets yet"
          description="Set a monthly limit for the organisation, a default for every member, or one for a member or an API token."
          action={addButton}
        />
      ) : (
        <>
          <div className="relative overflow-x-auto">
            <table className="w-full text-left text-[13px]">
              <TableHead columns={COLUMNS} />
              <tbody className="divide-y divide-line">
                {budgets.data.map((budget) => (
                  <BudgetRow
                    key={budget.id}
                    budget={budget}
                    onEdit={() => setTarget({ mode: "edit", budget })}
                    onRemove={() => setRemoving(budget)}
                  />
                ))}
              </tbody>
            </table>
          </div>
          <div className="border-t border-line px-5 py-3">
            <SpendBarLegend />
          </div>
        </>
      )}
      <BudgetDialog target={target} budgets={budgets.data ?? []} onClose={() => setTarget(null)} />
      <RemoveBudgetDialog budget={removing} onClose={() => setRemoving(null)} />
    </Card>
  );
}

function BudgetRow({
  budget,
  onEdit,
  onRemove,
}: {
  budget: Budget;
  onEdit: () => void;
  onRemove: () => void;
}) {
  const name = coverageLabel(budget.scope, budget.subject);
  return (
    <tr>
      <td className="py-3 pr-3 pl-4 align-top sm:pl-5">
        <p className="font-medium text-fg">{name}</p>
        <p className="text-xs text-fg-muted">
          {scopeKindLabel(budget.scope)}
          {budget.subject?.kind === "member" ? ` · ${budget.subject.email}` : ""}
        </p>
      </td>
      <td className="px-3 py-3 align-top whitespace-nowrap">
        <p className="font-mono text-fg tabular-nums">{formatUsd(budget.limitMicroUsd)}</p>
        <p className="text-xs text-fg-muted">{periodLabel(budget.period)}</p>
        {budget.spentMicroUsd === null ? null : (
          // Narrow screens leave out the spend column: its percentage stays here.
          <p className="text-xs text-fg-muted md:hidden">
            {formatPercent(percentSpent(budget.spentMicroUsd, budget.limitMicroUsd))} spent
          </p>
        )}
      </td>
      <td className="hidden w-[38%] min-w-64 px-3 py-3 align-top md:table-cell">
        {budget.spentMicroUsd === null ? (
          <p className="text-fg-muted">
            Each member's own spend: see the{" "}
            <Link to="/usage" className="font-medium text-accent-soft-fg underline-offset-2 hover:underline">
              Usage page
            </Link>
            .
          </p>
        ) : (
          <div className="space-y-1.5">
            <div className="flex flex-wrap items-baseline justify-between gap-x-3 text-xs">
              <span className="font-mono whitespace-nowrap text-fg tabular-nums">
                {formatUsd(budget.spentMicroUsd)}{" "}
                <span className="font-sans text-fg-muted">
                  spent ({formatPercent(percentSpent(budget.spentMicroUsd, budget.limitMicroUsd))})
                </span>
              </span>
              {budget.projectedMicroUsd !== null ? (
                <span className="whitespace-nowrap text-fg-muted">
                  projected{" "}
                  <span className="font-mono tabular-nums">{formatUsd(budget.projectedMicroUsd)}</span>
                </span>
              ) : null}
            </div>
            <SpendBar
              label={`${name}: spent ${thisPeriod(budget.period)}`}
              spentMicroUsd={budget.spentMicroUsd}
              limitMicroUsd={budget.limitMicroUsd}
              projectedMicroUsd={budget.projectedMicroUsd}
            />
          </div>
        )}
        <p className="mt-1.5 text-xs text-fg-muted">
          Resets{" "}
          <time dateTime={budget.resetsAt.toISOString()} title={formatDateTime(budget.resetsAt)}>
            {formatRelative(budget.resetsAt)}
          </time>
        </p>
      </td>
      <td className="hidden px-3 py-3 align-top sm:table-cell">
        <div className="flex flex-wrap gap-1">
          {budget.hard ? <Badge tone="danger">Hard</Badge> : <Badge tone="accent">Soft</Badge>}
        </div>
        <p className="mt-1 text-xs text-fg-muted">
          {budget.alertPercents.length > 0
            ? `Alerts at ${budget.alertPercents.map(formatPercent).join(", ")}`
            : "No alerts"}
        </p>
      </td>
      <td className="py-3 pr-4 pl-3 text-right align-top sm:pr-5">
        <div className="flex justify-end gap-1">
          <Button
            variant="ghost"
            size="sm"
            icon={<Pencil />}
            onClick={onEdit}
            aria-label={`Edit the budget for ${name}`}
          >
            Edit
          </Button>
          <Button
            variant="ghost"
            size="sm"
            icon={<Trash2 />}
            onClick={onRemove}
            aria-label={`Remove the budget for ${name}`}
          >
            <span className="sr-only sm:not-sr-only">Remove</span>
          </Button>
        </div>
      </td>
    </tr>
  );
}
