import { keepPreviousData, skipToken, useQuery } from "@tanstack/react-query";
import { ChartColumnStacked, Rows3 } from "lucide-react";
import { useMemo } from "react";
import { Card, CardBody, CardHeader } from "../../components/ui/Card.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { Field } from "../../components/ui/Field.tsx";
import { Select } from "../../components/ui/Input.tsx";
import { ScrollArea } from "../../components/ui/ScrollArea.tsx";
import { Skeleton, SkeletonRows } from "../../components/ui/Skeleton.tsx";
import { UpdatingNote } from "../../components/ui/Spinner.tsx";
import { formatUsd } from "../../lib/money.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { type SummaryRow, stackByModel, sumDays } from "./chart-data.ts";
import { formatCount, formatDay, GROUP_LABELS, groupLabel } from "./labels.ts";
import { SpendChart } from "./SpendChart.tsx";
import { GROUPS, type GroupBy, type LedgerFilter, type Scope } from "./usage-view.ts";

const byCost = (a: SummaryRow, b: SummaryRow) =>
  a.costMicroUsd === b.costMicroUsd ? Number(b.count - a.count) : a.costMicroUsd > b.costMicroUsd ? -1 : 1;

function SummaryTable({ rows, group }: { rows: SummaryRow[]; group: GroupBy }) {
  const name = GROUP_LABELS[group];
  return (
    <ScrollArea>
      <table className="w-full text-left text-[13px]">
        <caption className="sr-only">Totals by {name.toLowerCase()}</caption>
        <thead className="text-xs text-fg-muted">
          <tr className="border-b border-line">
            <th scope="col" className="py-2.5 pr-3 pl-4 font-medium sm:pl-5">
              {name}
            </th>
            <th scope="col" className="hidden px-3 py-2.5 text-right font-medium sm:table-cell">
              Entries
            </th>
            <th scope="col" className="hidden px-3 py-2.5 text-right font-medium sm:table-cell">
              Input
            </th>
            <th scope="col" className="hidden px-3 py-2.5 text-right font-medium sm:table-cell">
              Output
            </th>
            <th scope="col" className="hidden px-3 py-2.5 text-right font-medium md:table-cell">
              Cached
            </th>
            <th scope="col" className="px-3 py-2.5 text-right font-medium">
              Cost
            </th>
            <th scope="col" className="py-2.5 pr-4 pl-3 text-right font-medium sm:pr-5">
              Amount
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {rows.map((row) => (
            <tr key={row.key || "none"}>
              <th scope="row" className="max-w-64 py-2.5 pr-3 pl-4 font-normal break-words text-fg sm:pl-5">
                <span className={group === "model" && row.key ? "font-mono text-xs" : undefined}>
                  {group === "day" ? formatDay(row.key, true) : groupLabel(group, row.key, row.label)}
                </span>
              </th>
              <td className="hidden px-3 py-2.5 text-right font-mono tabular-nums sm:table-cell">
                {formatCount(row.count)}
              </td>
              <td className="hidden px-3 py-2.5 text-right font-mono tabular-nums sm:table-cell">
                {formatCount(row.inputTokens)}
              </td>
              <td className="hidden px-3 py-2.5 text-right font-mono tabular-nums sm:table-cell">
                {formatCount(row.outputTokens)}
              </td>
              <td className="hidden px-3 py-2.5 text-right font-mono tabular-nums md:table-cell">
                {formatCount(row.cachedTokens)}
              </td>
              <td className="px-3 py-2.5 text-right font-mono tabular-nums">{formatUsd(row.costMicroUsd)}</td>
              <td className="py-2.5 pr-4 pl-3 text-right font-mono tabular-nums sm:pr-5">
                {row.amountMicroUsd > 0n ? "+" : ""}
                {formatUsd(row.amountMicroUsd)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollArea>
  );
}

export function SummaryCard({
  filter,
  scope,
  firstDay,
  endDay,
  group,
  onGroupChange,
}: {
  filter: LedgerFilter | null;
  scope: Scope;
  /** The chart's axis: the period's first day (null: from the first entry) and the day after it. */
  firstDay: string | null;
  endDay: string;
  group: GroupBy;
  onGroupChange: (group: GroupBy) => void;
}) {
  const trpc = useTRPC();
  const options = { placeholderData: keepPreviousData };
  const days = useQuery(
    trpc.usage.summary.queryOptions(filter ? { filter, groupBy: "day" } : skipToken, options),
  );
  const grouped = useQuery(
    trpc.usage.summary.queryOptions(
      filter && group !== "day" ? { filter, groupBy: group } : skipToken,
      options,
    ),
  );
  const chart = useMemo(
    () =>
      days.data
        ? stackByModel(
            days.data.map((row) => ({ key: row.key, model: row.model, costMicroUsd: row.costMicroUsd })),
            { firstDay, endDay },
          )
        : null,
    [days.data, firstDay, endDay],
  );
  const table = group === "day" ? days : grouped;
  const rows = useMemo(
    () => (table.data ? (group === "day" ? sumDays(table.data) : [...table.data].sort(byCost)) : null),
    [table.data, group],
  );
  const updating =
    (days.isFetching && days.isPlaceholderData) || (table.isFetching && table.isPlaceholderData);
  const groups = GROUPS.filter((value) => scope === "organization" || value !== "user");

  return (
    <Card aria-labelledby="usage-summary-heading">
      <CardHeader
        id="usage-summary-heading"
        title="Summary"
        description="Cost is what model calls cost at the prices in force, whichever key paid; grants and free endpoints cost nothing."
        actions={updating ? <UpdatingNote /> : null}
      />
      <CardBody className="space-y-3 border-b border-line">
        <h3 id="usage-chart-title" className="text-[13px] font-medium text-fg">
          Cost per {chart?.unit ?? "day"}, by model
        </h3>
        {days.isError && !days.data ? (
          <ErrorState
            error={days.error}
            onRetry={() => void days.refetch()}
            title="Couldn't load the chart"
          />
        ) : !chart ? (
          <div role="status" aria-label="Loading the chart">
            <Skeleton className="h-52 w-full" />
          </div>
        ) : chart.total === 0n ? (
          <EmptyState
            icon={ChartColumnStacked}
            spacing="compact"
            title="No spend in this period"
            description="Model calls that cost something appear here, stacked by model."
          />
        ) : (
          <SpendChart chart={chart} labelledBy="usage-chart-title" />
        )}
      </CardBody>
      <div className="flex flex-wrap items-end justify-between gap-3 px-5 pt-4 pb-3">
        <h3 className="text-[13px] font-medium text-fg">Totals by {GROUP_LABELS[group].toLowerCase()}</h3>
        <div className="w-44">
          <Field label="Group by" hideLabel>
            <Select
              controlSize="sm"
              value={group}
              onChange={(event) => onGroupChange(event.target.value as GroupBy)}
            >
              {groups.map((value) => (
                <option key={value} value={value}>
                  Group by {GROUP_LABELS[value].toLowerCase()}
                </option>
              ))}
            </Select>
          </Field>
        </div>
      </div>
      {table.isError && !table.data ? (
        <ErrorState
          error={table.error}
          onRetry={() => void table.refetch()}
          title="Couldn't load the summary"
        />
      ) : !rows ? (
        <SkeletonRows label="Loading the summary" rows={3} />
      ) : rows.length === 0 ? (
        <EmptyState
          icon={Rows3}
          spacing="compact"
          title="Nothing to group"
          description="No entries match the filters."
        />
      ) : (
        <SummaryTable rows={rows} group={group} />
      )}
    </Card>
  );
}
