import { Circle, CircleCheck, CircleDot, ListTodo } from "lucide-react";
import { memo } from "react";
import { cn } from "../../../../../lib/cn.ts";
import type { PlanEntry, PlanItem } from "../chat-types.ts";

/** How each status reads to a screen reader, after the entry's text. */
const spokenStatus: Record<PlanEntry["status"], string> = {
  pending: " (to do)",
  in_progress: " (in progress)",
  completed: " (done)",
};

function EntryIcon({ status }: { status: PlanEntry["status"] }) {
  if (status === "completed")
    return <CircleCheck className="size-4 text-success-soft-fg" aria-hidden="true" />;
  if (status === "in_progress")
    return <CircleDot className="size-4 text-accent-soft-fg" aria-hidden="true" />;
  return <Circle className="size-4 text-fg-subtle" aria-hidden="true" />;
}

/** The agent's todo list as it last sent it: a checklist, the step it works on marked current. */
export const PlanCard = memo(function PlanCard({ item }: { item: PlanItem }) {
  const done = item.entries.filter((entry) => entry.status === "completed").length;
  return (
    <section
      aria-label="Agent's plan"
      className="plan-card rounded-xl border border-line bg-surface px-3.5 py-3 shadow-soft"
    >
      <header className="flex items-center gap-2.5">
        <span className="flex size-7 shrink-0 items-center justify-center rounded-lg bg-surface-muted text-fg-muted">
          <ListTodo className="size-4" aria-hidden="true" />
        </span>
        <h3 className="flex-1 text-[13px] font-semibold text-fg">Plan</h3>
        {item.entries.length > 0 ? (
          <span className="font-mono text-xs text-fg-muted tabular-nums">
            {done} of {item.entries.length} done
          </span>
        ) : null}
      </header>
      {item.entries.length === 0 ? (
        <p className="mt-2 ml-1 text-[13px] text-fg-muted">The agent cleared its plan.</p>
      ) : (
        <ol aria-label="Plan steps" className="mt-2 ml-1">
          {item.entries.map((entry, index) => (
            <li
              // Entries have no id of their own, and the same text can appear twice.
              key={`${index}:${entry.content}`}
              data-status={entry.status}
              aria-current={entry.status === "in_progress" ? "step" : undefined}
              className="flex items-start gap-2.5 py-1"
            >
              <span className="mt-0.5 shrink-0">
                <EntryIcon status={entry.status} />
              </span>
              <p
                className={cn(
                  "min-w-0 flex-1 text-[13px] break-words",
                  entry.status === "completed" && "text-fg-muted line-through decoration-fg-subtle",
                  entry.status === "in_progress" && "font-medium text-fg",
                  entry.status === "pending" && "text-fg",
                )}
              >
                {entry.content}
                <span className="sr-only">{spokenStatus[entry.status]}</span>
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
});
