import { getAgentProfile } from "@studio/models/agents";
import type { SessionStatus } from "@studio/models/lists";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Plus, SquareTerminal } from "lucide-react";
import { useState } from "react";
import { Link, NavLink } from "react-router";
import { Badge } from "../../../components/ui/Badge.tsx";
import { Button, buttonClasses } from "../../../components/ui/Button.tsx";
import { LoadMoreButton } from "../../../components/ui/LoadMore.tsx";
import { Skeleton } from "../../../components/ui/Skeleton.tsx";
import { cn } from "../../../lib/cn.ts";
import { describeError } from "../../../lib/errors.ts";
import { formatRelative } from "../../../lib/format.ts";
import { type RouterOutputs, useTRPC } from "../../../lib/trpc.ts";
import { statusLabels } from "../session-status.ts";

type Summary = RouterOutputs["sessions"]["list"]["sessions"][number];
type EnvironmentFilter = "all" | "development" | "production";
type StatusFilter = "all" | "running" | "stopped" | "error";

const statusGroups: Record<Exclude<StatusFilter, "all">, SessionStatus[]> = {
  running: ["provisioning", "ready", "active", "idle"],
  stopped: ["stopped"],
  error: ["error"],
};

const dotColours: Record<SessionStatus, string> = {
  provisioning: "bg-accent motion-safe:animate-pulse",
  ready: "bg-success-soft-fg",
  active: "bg-accent motion-safe:animate-pulse",
  idle: "bg-success-soft-fg/60",
  stopped: "bg-fg-subtle",
  error: "bg-danger",
};

function SessionLink({ session, onNavigate }: { session: Summary; onNavigate?: (() => void) | undefined }) {
  return (
    <NavLink
      to={`/sessions/${session.id}`}
      onClick={onNavigate}
      className={({ isActive }) =>
        cn(
          "block rounded-lg px-2.5 py-2 transition-colors",
          isActive ? "bg-surface-hover" : "hover:bg-surface-hover/70",
        )
      }
    >
      <span className="block truncate text-[13px] font-medium text-fg">
        {session.title ?? "Untitled session"}
      </span>
      <span className="mt-0.5 flex items-center gap-1.5 text-xs text-fg-muted">
        <span
          aria-hidden="true"
          className={cn("size-1.5 shrink-0 rounded-full", dotColours[session.status])}
        />
        <span>{statusLabels[session.status]}</span>
        <span aria-hidden="true">·</span>
        <span className="shrink-0">{getAgentProfile(session.agent).name}</span>
        <span aria-hidden="true">·</span>
        <span className="min-w-0 truncate">{session.model}</span>
        {session.environment === "production" ? (
          <Badge tone="warning" className="h-4 px-1.5 text-[10px]">
            Prod
          </Badge>
        ) : null}
        <span className="ml-auto shrink-0 text-fg-muted">{formatRelative(session.createdAt)}</span>
      </span>
    </NavLink>
  );
}

const filterClasses =
  "h-7 w-full cursor-pointer rounded-md border border-line bg-surface px-1.5 text-xs text-fg hover:border-line-strong";

/** The organisation's sessions, newest first, filterable by environment and status. */
export function SessionsList({ onNavigate }: { onNavigate?: () => void }) {
  const trpc = useTRPC();
  const [environment, setEnvironment] = useState<EnvironmentFilter>("all");
  const [status, setStatus] = useState<StatusFilter>("all");
  const list = useInfiniteQuery(
    trpc.sessions.list.infiniteQueryOptions(
      {
        limit: 30,
        ...(environment === "all" ? {} : { environment }),
        ...(status === "all" ? {} : { status: statusGroups[status] }),
      },
      { getNextPageParam: (page) => page.nextCursor, refetchInterval: 15_000 },
    ),
  );
  const sessions = list.data?.pages.flatMap((page) => page.sessions) ?? [];
  const filtered = environment !== "all" || status !== "all";

  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="flex items-center justify-between gap-2 px-3 pt-3">
        <h2 className="text-[13px] font-semibold text-fg">Sessions</h2>
        <Link to="/" onClick={onNavigate} className={buttonClasses("secondary", "sm")}>
          <Plus aria-hidden="true" />
          New
        </Link>
      </div>
      <div className="grid grid-cols-2 gap-2 px-3 pt-2.5 pb-2">
        <label className="space-y-1">
          <span className="text-[11px] font-medium text-fg-muted">Environment</span>
          <select
            className={filterClasses}
            value={environment}
            onChange={(event) => setEnvironment(event.target.value as EnvironmentFilter)}
          >
            <option value="all">All</option>
            <option value="development">Development</option>
            <option value="production">Production</option>
          </select>
        </label>
        <label className="space-y-1">
          <span className="text-[11px] font-medium text-fg-muted">Status</span>
          <select
            className={filterClasses}
            value={status}
            onChange={(event) => setStatus(event.target.value as StatusFilter)}
          >
            <option value="all">All</option>
            <option value="running">Running</option>
            <option value="stopped">Stopped</option>
            <option value="error">Failed</option>
          </select>
        </label>
      </div>
      <nav aria-label="Sessions" className="min-h-0 flex-1 overflow-y-auto px-1.5 pb-3">
        {list.isPending ? (
          <div role="status" aria-label="Loading sessions" className="space-y-3 px-1.5 pt-2">
            {[0, 1, 2].map((key) => (
              <div key={key} className="space-y-1.5">
                <Skeleton className="h-3.5 w-3/4" />
                <Skeleton className="h-3 w-1/2" />
              </div>
            ))}
          </div>
        ) : list.isError ? (
          <div role="alert" className="space-y-2 px-1.5 pt-2 text-[13px] text-fg-muted">
            <p>{describeError(list.error).message}</p>
            <Button size="sm" variant="secondary" onClick={() => void list.refetch()}>
              Try again
            </Button>
          </div>
        ) : sessions.length === 0 ? (
          <div className="flex flex-col items-center px-4 pt-8 text-center">
            <SquareTerminal className="mb-2 size-5 text-fg-subtle" aria-hidden="true" />
            <p className="text-[13px] font-medium text-fg">
              {filtered ? "No sessions match" : "No sessions yet"}
            </p>
            <p className="mt-0.5 text-xs text-fg-muted">
              {filtered
                ? "Try another environment or status."
                : "Sessions you and your team start appear here."}
            </p>
          </div>
        ) : (
          <ul className="space-y-0.5">
            {sessions.map((session) => (
              <li key={session.id}>
                <SessionLink session={session} onNavigate={onNavigate} />
              </li>
            ))}
          </ul>
        )}
        {list.hasNextPage ? (
          <div className="px-1.5 pt-2">
            <LoadMoreButton list={list} variant="ghost" className="w-full" />
          </div>
        ) : null}
      </nav>
    </div>
  );
}
