import { useQuery } from "@tanstack/react-query";
import { CircleExclamationPoint, TriangleExclamationPoint, X } from "lucide-react";
import { useCallback, useState } from "react";
import { Link } from "react-router";
import { cn } from "../../lib/cn.ts";
import { formatDateTime } from "../../lib/format.ts";
import { formatUsd } from "../../lib/money.ts";
import { isManager } from "../../lib/roles.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { useCurrentUser } from "../auth/current-user.ts";
import { bannerMessages } from "./budget-math.ts";

const STORAGE_KEY = "studio.budget-banner.dismissed";
/** Dismissals older than this are forgotten: their period has long reset. */
const KEEP_DISMISSALS = 40;

function readDismissed(): string[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "[]");
    return Array.isArray(stored) ? stored.filter((key): key is string => typeof key === "string") : [];
  } catch {
    return [];
  }
}

function useDismissals() {
  const [dismissed, setDismissed] = useState(readDismissed);
  const dismiss = useCallback((key: string) => {
    const next = [...readDismissed().filter((k) => k !== key), key].slice(-KEEP_DISMISSALS);
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    } catch {
      // Private windows may refuse storage: the banner then stays hidden for this page's life only.
    }
    setDismissed(next);
  }, []);
  return { dismissed, dismiss };
}

/**
 * Tells the person when a budget covering them is nearly spent, and more firmly when a hard one is
 * spent and the agent's calls are refused. Each message can be dismissed until the next period
 * (or until a warning becomes a refusal). Checked every minute and when the window regains focus.
 */
export function BudgetBanner() {
  const { activeOrganization } = useCurrentUser();
  const trpc = useTRPC();
  const mine = useQuery({
    ...trpc.budgets.mine.queryOptions(undefined, {
      refetchInterval: 60_000,
      refetchOnWindowFocus: true,
    }),
    enabled: activeOrganization !== null,
  });
  const { dismissed, dismiss } = useDismissals();
  if (!mine.data) return null;
  const messages = bannerMessages(mine.data, formatUsd, formatDateTime).filter(
    (message) => !dismissed.includes(message.dismissKey),
  );
  if (messages.length === 0) return null;
  const manager = activeOrganization ? isManager(activeOrganization.role) : false;

  return (
    <div className="space-y-px border-b border-line">
      {messages.map((message) => {
        const spent = message.level === "spent";
        const Icon = spent ? CircleExclamationPoint : TriangleExclamationPoint;
        return (
          <section
            key={message.dismissKey}
            aria-label="Budget"
            role={spent ? "alert" : "status"}
            className={cn(
              "flex items-start gap-3 px-4 py-2.5 text-[13px] sm:px-8",
              spent ? "bg-danger-soft text-danger-soft-fg" : "bg-warning-soft text-warning-soft-fg",
            )}
          >
            <Icon className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
            <p className="min-w-0 flex-1 leading-5">
              <span className="font-semibold">{message.title}</span> {message.text}{" "}
              <Link
                to={manager ? "/settings/budgets" : "/usage"}
                className="font-medium whitespace-nowrap underline underline-offset-2"
              >
                {manager ? "Budgets & limits" : "See your budget"}
              </Link>
            </p>
            <button
              type="button"
              onClick={() => dismiss(message.dismissKey)}
              className="-my-0.5 -mr-1.5 shrink-0 rounded-md p-1 opacity-80 transition-opacity hover:opacity-100 focus-visible:outline-2 focus-visible:outline-ring"
              aria-label="Dismiss until the budget resets"
            >
              <X className="size-4" aria-hidden="true" />
            </button>
          </section>
        );
      })}
    </div>
  );
}
