import { keepPreviousData, skipToken, useInfiniteQuery } from "@tanstack/react-query";
import { Funnel, ReceiptText } from "lucide-react";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { Badge, type BadgeTone } from "../../components/ui/Badge.tsx";
import { Card, CardHeader } from "../../components/ui/Card.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { LoadMoreButton, LoadMoreError } from "../../components/ui/LoadMore.tsx";
import { ScrollArea } from "../../components/ui/ScrollArea.tsx";
import { SkeletonRows } from "../../components/ui/Skeleton.tsx";
import { UpdatingNote } from "../../components/ui/Spinner.tsx";
import { cn } from "../../lib/cn.ts";
import { formatUsd } from "../../lib/money.ts";
import { type RouterOutputs, useTRPC } from "../../lib/trpc.ts";
import {
  entryKeySource,
  formatCount,
  formatEntryDayAndClock,
  formatEntryTime,
  KIND_LABELS,
  shortProviderName,
} from "./labels.ts";
import type { Kind, LedgerFilter, Scope } from "./usage-view.ts";

export type Entry = RouterOutputs["usage"]["entries"]["entries"][number];

const PAGE = 50;
const kindTones: Record<Kind, BadgeTone> = {
  usage: "neutral",
  grant: "success",
  adjustment: "warning",
  refund: "accent",
};

// Below the container's @4xl width an entry is one cell of stacked details and its amount; from
// @4xl every field has its own column (cached tokens from @5xl, under the input before; provider
// and key source from @6xl, under the model before; cost from 75rem, the widest the page gets).
// Container queries, because the sidebar takes part of the viewport on desktop.
const wide = "hidden @4xl:table-cell";
const cell = "px-2 py-2.5 align-top";
const num = `${cell} text-right font-mono tabular-nums`;

function Amount({ value }: { value: bigint }) {
  return (
    <span
      data-testid="entry-amount"
      className={cn(
        "font-mono tabular-nums",
        value > 0n ? "text-success-soft-fg" : value === 0n ? "text-fg-muted" : "text-fg",
      )}
    >
      {value > 0n ? "+" : ""}
      {formatUsd(value)}
    </span>
  );
}

function SessionLink({ entry, onFilter }: { entry: Entry; onFilter: (sessionId: string) => void }) {
  if (!entry.sessionId) return <span className="text-fg-muted">—</span>;
  const title = entry.sessionTitle || "Untitled session";
  return (
    <span className="flex max-w-full min-w-0 items-center gap-0.5">
      <Link
        to={`/sessions/${entry.sessionId}`}
        className="truncate font-medium text-accent-soft-fg hover:underline"
        title={title}
      >
        {title}
      </Link>
      <button
        type="button"
        onClick={() => onFilter(entry.sessionId!)}
        className="shrink-0 rounded p-1 text-fg-muted hover:bg-surface-hover hover:text-fg"
        aria-label={`Show only entries of ${title}`}
        title="Show only this session's entries"
      >
        <Funnel className="size-3" aria-hidden="true" />
      </button>
    </span>
  );
}

function KindCell({ entry }: { entry: Entry }) {
  return (
    <span className="flex flex-col items-start gap-0.5">
      <Badge tone={kindTones[entry.kind]}>{KIND_LABELS[entry.kind]}</Badge>
      {entry.usageEstimated ? <span className="text-xs text-warning-soft-fg">Estimated</span> : null}
      {entry.reason ? (
        <span className="line-clamp-2 max-w-48 text-xs text-fg-muted" title={entry.reason}>
          {entry.reason}
        </span>
      ) : null}
    </span>
  );
}

function Time({ date }: { date: Date }) {
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()} className="whitespace-nowrap">
      {formatEntryTime(date)}
    </time>
  );
}

/** Day over time, to keep the column narrow when every field has a column. */
function StackedTime({ date }: { date: Date }) {
  const [dayText, clockText] = formatEntryDayAndClock(date);
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()} className="block whitespace-nowrap">
      <span className="block text-fg">{dayText}</span>
      <span className="block text-xs text-fg-muted">{clockText}</span>
    </time>
  );
}

/** Everything about an entry in one cell, for widths where the columns don't fit. */
function StackedDetails({
  entry,
  scope,
  onFilter,
}: {
  entry: Entry;
  scope: Scope;
  onFilter: (sessionId: string) => void;
}) {
  const parts: ReactNode[] = [];
  if (entry.kind === "usage") {
    parts.push(
      <span key="tokens">
        {formatCount(entry.inputTokens)} in · {formatCount(entry.outputTokens)} out ·{" "}
        {formatCount(entry.cachedTokens)} cached
      </span>,
    );
  }
  return (
    <div className="min-w-0 space-y-1 @4xl:hidden">
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <span className="text-fg">
          <Time date={entry.createdAt} />
        </span>
        <KindCell entry={entry} />
      </div>
      {entry.model ? (
        <p className="text-xs text-fg-muted">
          <span className="font-mono break-all text-fg">{entry.model}</span> ·{" "}
          {shortProviderName(entry.provider)} · {entryKeySource(entry.keySource, entry.provider)}
        </p>
      ) : null}
      {scope === "organization" || entry.sessionId ? (
        <p className="flex min-w-0 flex-wrap items-center gap-x-2.5 text-xs text-fg-muted">
          {scope === "organization" ? <span>{entry.userName ?? "System"}</span> : null}
          {entry.sessionId ? <SessionLink entry={entry} onFilter={onFilter} /> : null}
        </p>
      ) : null}
      {parts.length > 0 ? <p className="font-mono text-xs text-fg-muted tabular-nums">{parts}</p> : null}
    </div>
  );
}

function EntriesTable({
  entries,
  scope,
  onFilterSession,
}: {
  entries: Entry[];
  scope: Scope;
  onFilterSession: (sessionId: string) => void;
}) {
  const org = scope === "organization";
  return (
    <div className="@container">
      <ScrollArea>
        {/* Fixed layout in the stacked form, so long session titles truncate instead of widening it. */}
        <table className="w-full table-fixed text-left text-[13px] @4xl:table-auto">
          <caption className="sr-only">Ledger entries, newest first</caption>
          <thead className="text-xs text-fg-muted">
            <tr className="border-b border-line">
              <th scope="col" className="py-2.5 pr-2.5 pl-4 font-medium sm:pl-5">
                <span className="@4xl:hidden">Entry</span>
                <span className="hidden @4xl:inline">Time</span>
              </th>
              {org ? (
                <th scope="col" className={`${wide} ${cell} font-medium`}>
                  User
                </th>
              ) : null}
              <th scope="col" className={`${wide} ${cell} font-medium`}>
                Session
              </th>
              <th scope="col" className={`hidden @6xl:table-cell ${cell} font-medium`}>
                Provider
              </th>
              <th scope="col" className={`${wide} ${cell} font-medium`}>
                Model
              </th>
              <th scope="col" className={`hidden @6xl:table-cell ${cell} font-medium`}>
                Key source
              </th>
              <th scope="col" className={`${wide} ${cell} font-medium`}>
                Kind
              </th>
              <th scope="col" className={`${wide} ${cell} text-right font-medium`}>
                Input
              </th>
              <th scope="col" className={`${wide} ${cell} text-right font-medium`}>
                Output
              </th>
              <th scope="col" className={`hidden @5xl:table-cell ${cell} text-right font-medium`}>
                Cached
              </th>
              <th scope="col" className={`hidden @min-[75rem]:table-cell ${cell} text-right font-medium`}>
                Cost
              </th>
              <th
                scope="col"
                className={`${cell} w-32 pr-4 text-right font-medium sm:pr-5 @4xl:w-auto @4xl:pr-2`}
              >
                Amount
              </th>
              <th scope="col" className={`${wide} py-2.5 pr-4 pl-2.5 text-right font-medium sm:pr-5`}>
                Balance after
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-line">
            {entries.map((entry) => (
              <tr key={String(entry.id)} data-entry-id={String(entry.id)}>
                <td className="py-2.5 pr-2.5 pl-4 align-top sm:pl-5">
                  <StackedDetails entry={entry} scope={scope} onFilter={onFilterSession} />
                  <div className="hidden @4xl:block">
                    <StackedTime date={entry.createdAt} />
                  </div>
                </td>
                {org ? (
                  <td className={`${wide} ${cell}`}>
                    {/* A width on the cell itself doesn't bound an auto table; one on a block inside does. */}
                    <div className="max-w-24 truncate" title={entry.userName ?? undefined}>
                      {entry.userName ?? "System"}
                    </div>
                  </td>
                ) : null}
                <td className={`${wide} ${cell}`}>
                  <div className="w-32">
                    <SessionLink entry={entry} onFilter={onFilterSession} />
                  </div>
                </td>
                <td className={`hidden @6xl:table-cell ${cell}`}>{shortProviderName(entry.provider)}</td>
                <td className={`${wide} ${cell}`}>
                  <span className="font-mono text-xs whitespace-nowrap">{entry.model ?? "—"}</span>
                  {entry.provider ? (
                    <span className="block max-w-44 text-xs text-fg-muted @6xl:hidden">
                      {shortProviderName(entry.provider)} · {entryKeySource(entry.keySource, entry.provider)}
                    </span>
                  ) : null}
                </td>
                <td className={`hidden @6xl:table-cell ${cell} whitespace-nowrap`}>
                  {entryKeySource(entry.keySource, entry.provider)}
                </td>
                <td className={`${wide} ${cell}`}>
                  <KindCell entry={entry} />
                </td>
                <td className={`${wide} ${num}`}>
                  {formatCount(entry.inputTokens)}
                  <span className="block text-xs whitespace-nowrap text-fg-muted @5xl:hidden">
                    {formatCount(entry.cachedTokens)} cached
                  </span>
                </td>
                <td className={`${wide} ${num}`}>{formatCount(entry.outputTokens)}</td>
                <td className={`hidden @5xl:table-cell ${num}`}>{formatCount(entry.cachedTokens)}</td>
                <td className={`hidden @min-[75rem]:table-cell ${num}`}>{formatUsd(entry.costMicroUsd)}</td>
                <td className={`${cell} pr-4 text-right whitespace-nowrap sm:pr-5 @4xl:pr-2`}>
                  <Amount value={entry.amountMicroUsd} />
                  <span className="mt-1 block text-xs text-fg-muted @4xl:hidden">
                    Balance after
                    <span className="block font-mono tabular-nums">
                      {formatUsd(entry.balanceAfterMicroUsd)}
                    </span>
                  </span>
                </td>
                <td
                  className={`${wide} py-2.5 pr-4 pl-2.5 text-right align-top font-mono whitespace-nowrap tabular-nums sm:pr-5`}
                >
                  {formatUsd(entry.balanceAfterMicroUsd)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollArea>
    </div>
  );
}

export function EntriesCard({
  filter,
  scope,
  total,
  emptyAction,
  onFilterSession,
}: {
  filter: LedgerFilter | null;
  scope: Scope;
  /** How many entries match in all (from the totals), to say how many are still to load. */
  total: bigint | undefined;
  emptyAction: ReactNode;
  onFilterSession: (sessionId: string) => void;
}) {
  const trpc = useTRPC();
  const list = useInfiniteQuery(
    trpc.usage.entries.infiniteQueryOptions(filter ? { filter, limit: PAGE } : skipToken, {
      getNextPageParam: (page) => page.nextCursor,
      placeholderData: keepPreviousData,
    }),
  );
  const entries = list.data?.pages.flatMap((page) => page.entries) ?? [];
  const updating = list.isFetching && list.isPlaceholderData;

  return (
    <Card aria-labelledby="usage-entries-heading" aria-busy={updating || undefined}>
      <CardHeader
        id="usage-entries-heading"
        title="Entries"
        description="Every model call, grant, adjustment and refund, newest first."
        actions={updating ? <UpdatingNote /> : null}
      />
      {list.isPending ? (
        <SkeletonRows label="Loading entries" rows={5} />
      ) : list.isError && !list.data ? (
        <ErrorState
          error={list.error}
          onRetry={() => void list.refetch()}
          title="Couldn't load the entries"
        />
      ) : entries.length === 0 ? (
        <EmptyState
          icon={ReceiptText}
          title="No entries match"
          description="Model calls, grants and adjustments appear here as they happen. Try a longer period or fewer filters."
          action={emptyAction}
        />
      ) : (
        <>
          <EntriesTable entries={entries} scope={scope} onFilterSession={onFilterSession} />
          <div className="flex flex-wrap items-center justify-between gap-3 rounded-b-xl border-t border-line bg-surface-muted/60 px-5 py-3 text-[13px] text-fg-muted">
            <p data-testid="entries-shown" aria-live="polite">
              Showing {formatCount(entries.length)}
              {total !== undefined ? ` of ${formatCount(total)}` : ""} {total === 1n ? "entry" : "entries"}
            </p>
            <LoadMoreButton list={list} />
          </div>
          <LoadMoreError list={list} what="entries" />
        </>
      )}
    </Card>
  );
}
