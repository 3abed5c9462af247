import { keepPreviousData, skipToken, useQuery } from "@tanstack/react-query";
import { Card } from "../../components/ui/Card.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { Skeleton } from "../../components/ui/Skeleton.tsx";
import { Spinner } from "../../components/ui/Spinner.tsx";
import { formatUsd } from "../../lib/money.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { formatCount } from "./labels.ts";
import type { LedgerFilter } from "./usage-view.ts";

interface Stat {
  id: string;
  label: string;
  hint: string;
  value: (totals: Totals) => string;
}

type Totals = {
  count: bigint;
  inputTokens: bigint;
  outputTokens: bigint;
  cachedTokens: bigint;
  amountMicroUsd: bigint;
  costMicroUsd: bigint;
};

const stats: Stat[] = [
  { id: "count", label: "Entries", hint: "Matching the filters", value: (t) => formatCount(t.count) },
  { id: "input", label: "Input tokens", hint: "Cached included", value: (t) => formatCount(t.inputTokens) },
  {
    id: "output",
    label: "Output tokens",
    hint: "Reasoning included",
    value: (t) => formatCount(t.outputTokens),
  },
  {
    id: "cached",
    label: "Cached tokens",
    hint: "Read from cache",
    value: (t) => formatCount(t.cachedTokens),
  },
  {
    id: "cost",
    label: "Cost",
    hint: "At the prices used, whoever paid",
    value: (t) => formatUsd(t.costMicroUsd),
  },
  {
    id: "amount",
    label: "Amount",
    hint: "Credits charged (−) and added (+)",
    value: (t) => `${t.amountMicroUsd > 0n ? "+" : ""}${formatUsd(t.amountMicroUsd)}`,
  },
];

/** Sums over every entry the filter matches (the API sums the whole set, never one page). */
export function TotalsCard({ filter }: { filter: LedgerFilter | null }) {
  const trpc = useTRPC();
  const totals = useQuery(
    trpc.usage.totals.queryOptions(filter ? { filter } : skipToken, { placeholderData: keepPreviousData }),
  );
  const data = totals.data;
  const updating = totals.isFetching && totals.isPlaceholderData;

  return (
    <Card aria-labelledby="usage-totals-heading" aria-busy={updating || totals.isPending || undefined}>
      <div className="flex flex-wrap items-start justify-between gap-3 border-b border-line px-5 py-4">
        <div className="min-w-0 space-y-1">
          <h2 id="usage-totals-heading" className="text-[15px] font-semibold text-fg">
            Totals of all matching entries
          </h2>
          <p className="text-[13px] text-fg-muted">
            {data
              ? `Summed over all ${formatCount(data.count)} ${data.count === 1n ? "entry" : "entries"} the filters match, not only the rows loaded below.`
              : "Summed over every entry the filters match, not only the rows loaded below."}
          </p>
        </div>
        {updating ? (
          <span className="flex items-center gap-1.5 text-xs text-fg-muted">
            <Spinner /> Updating…
          </span>
        ) : null}
      </div>
      {totals.isError && !data ? (
        <ErrorState
          error={totals.error}
          onRetry={() => void totals.refetch()}
          title="Couldn't load the totals"
        />
      ) : (
        <>
          {data ? null : (
            <span role="status" className="sr-only">
              Loading the totals
            </span>
          )}
          <dl className="grid grid-cols-2 gap-px overflow-hidden rounded-b-xl bg-line sm:grid-cols-3 xl:grid-cols-6">
            {stats.map((stat) => (
              <div key={stat.id} className="min-w-0 bg-surface px-5 py-4">
                <dt className="text-[13px] text-fg-muted">{stat.label}</dt>
                <dd className="mt-1">
                  {data ? (
                    <span
                      data-testid={`total-${stat.id}`}
                      className="block truncate font-mono text-lg font-semibold tracking-tight text-fg tabular-nums"
                    >
                      {stat.value(data)}
                    </span>
                  ) : (
                    <Skeleton className="h-7 w-24" />
                  )}
                  <span className="mt-0.5 block text-xs text-fg-muted">{stat.hint}</span>
                </dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </Card>
  );
}
