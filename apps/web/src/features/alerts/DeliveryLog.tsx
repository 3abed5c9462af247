import { useInfiniteQuery } from "@tanstack/react-query";
import { Send } from "lucide-react";
import { Badge, type BadgeTone } from "../../components/ui/Badge.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { LoadMoreButton, LoadMoreError } from "../../components/ui/LoadMore.tsx";
import { SkeletonRows } from "../../components/ui/Skeleton.tsx";
import { type TableColumn, TableHead } from "../../components/ui/Table.tsx";
import { formatDateTime, formatRelative } from "../../lib/format.ts";
import { type RouterOutputs, useTRPC } from "../../lib/trpc.ts";

type Delivery = RouterOutputs["alerts"]["deliveries"]["deliveries"][number];

const PAGE = 20;
/** While a delivery is still being tried, the log refreshes this often. */
const PENDING_REFRESH_MS = 5_000;

const statusBadges: Record<Delivery["status"], { tone: BadgeTone; label: string }> = {
  pending: { tone: "warning", label: "Retrying" },
  delivered: { tone: "success", label: "Delivered" },
  failed: { tone: "danger", label: "Failed" },
};

const kindLabels: Record<string, string> = { budget_alert: "Budget alert", test: "Test" };

const DELIVERY_COLUMNS: TableColumn[] = [
  { label: "Message" },
  { label: "Status" },
  { label: "Attempts", align: "right", from: "sm" },
  { label: "Last answer", from: "md" },
  { label: "Sent", from: "sm" },
];

export function When({ date, prefix }: { date: Date; prefix?: string }) {
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)} className="whitespace-nowrap">
      {prefix}
      {formatRelative(date)}
    </time>
  );
}

function StatusCell({ delivery }: { delivery: Delivery }) {
  // Not yet tried at all: waiting for a worker, not retrying.
  const badge =
    delivery.status === "pending" && delivery.attempts === 0
      ? { tone: "neutral" as const, label: "Queued" }
      : statusBadges[delivery.status];
  return (
    <span className="flex flex-col items-start gap-1">
      <Badge tone={badge.tone}>{badge.label}</Badge>
      {delivery.deliveredAt ? (
        <span className="text-xs text-fg-muted">
          <When date={delivery.deliveredAt} />
        </span>
      ) : delivery.nextAttemptAt && delivery.attempts > 0 ? (
        <span className="text-xs text-fg-muted">
          Next try <When date={delivery.nextAttemptAt} />
        </span>
      ) : null}
    </span>
  );
}

function LastAnswer({ delivery }: { delivery: Delivery }) {
  if (delivery.attempts === 0) return <span className="text-fg-subtle">Not tried yet</span>;
  return (
    <span className="block max-w-72 space-y-0.5">
      {delivery.lastStatusCode !== null ? (
        <span className="block font-mono text-xs text-fg">HTTP {delivery.lastStatusCode}</span>
      ) : null}
      {delivery.lastError ? (
        <span className="line-clamp-2 block text-xs break-words text-fg-muted" title={delivery.lastError}>
          {delivery.lastError}
        </span>
      ) : null}
    </span>
  );
}

/** Every message sent to the webhook, newest first, with each one's tries; refreshed while one is still being tried. */
export function DeliveryLog() {
  const trpc = useTRPC();
  const list = useInfiniteQuery(
    trpc.alerts.deliveries.infiniteQueryOptions(
      { limit: PAGE },
      {
        getNextPageParam: (page) => page.nextCursor,
        refetchInterval: (query) =>
          query.state.data?.pages.some((page) => page.deliveries.some((d) => d.status === "pending"))
            ? PENDING_REFRESH_MS
            : false,
      },
    ),
  );
  const deliveries = list.data?.pages.flatMap((page) => page.deliveries) ?? [];

  return (
    <section aria-labelledby="webhook-deliveries-heading" className="border-t border-line">
      <h3
        id="webhook-deliveries-heading"
        className="px-4 pt-4 pb-2 text-[13px] font-semibold text-fg sm:px-5"
      >
        Delivery log
      </h3>
      {list.isPending ? (
        <SkeletonRows label="Loading deliveries" rows={3} />
      ) : list.isError && !list.data ? (
        <ErrorState
          error={list.error}
          onRetry={() => void list.refetch()}
          title="Couldn't load the delivery log"
        />
      ) : deliveries.length === 0 ? (
        <EmptyState
          icon={Send}
          spacing="compact"
          title="Nothing sent yet"
          description="Budget alerts and test messages appear here with every try, newest first."
        />
      ) : (
        <>
          <div className="relative overflow-x-auto">
            <table className="w-full text-left text-[13px]">
              <caption className="sr-only">Webhook deliveries, newest first</caption>
              <TableHead columns={DELIVERY_COLUMNS} />
              <tbody className="divide-y divide-line">
                {deliveries.map((delivery) => (
                  <tr key={delivery.id} data-delivery-id={delivery.id} className="align-top">
                    <td className="py-3 pr-3 pl-4 sm:pl-5">
                      <p className="line-clamp-2 max-w-md text-fg" title={delivery.text}>
                        {delivery.text}
                      </p>
                      <p className="mt-1 flex flex-wrap items-center gap-x-2 text-xs text-fg-muted">
                        <span>{kindLabels[delivery.kind] ?? delivery.kind}</span>
                        <span className="sm:hidden">
                          <When date={delivery.createdAt} />
                        </span>
                      </p>
                    </td>
                    <td className="px-3 py-3">
                      <StatusCell delivery={delivery} />
                    </td>
                    <td className="hidden px-3 py-3 text-right font-mono tabular-nums sm:table-cell">
                      {delivery.attempts}
                    </td>
                    <td className="hidden px-3 py-3 md:table-cell">
                      <LastAnswer delivery={delivery} />
                    </td>
                    <td className="hidden py-3 pr-4 pl-3 text-fg-muted sm:table-cell sm:pr-5">
                      <When date={delivery.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {list.hasNextPage ? (
            <div className="flex justify-end border-t border-line px-5 py-3">
              <LoadMoreButton list={list} />
            </div>
          ) : null}
          <LoadMoreError list={list} what="deliveries" />
        </>
      )}
    </section>
  );
}
