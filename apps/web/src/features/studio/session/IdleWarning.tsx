import { Hourglass } from "lucide-react";
import { Button } from "../../../components/ui/Button.tsx";
import { useNow } from "../../../lib/use-now.ts";
import type { IdleClock } from "./use-keepalive.ts";

function countdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
}

/** Shown shortly before the idle auto-stop, with a live countdown and a way to stay. */
export function IdleWarning({ clock, idleTimeoutSeconds }: { clock: IdleClock; idleTimeoutSeconds: number }) {
  const now = useNow(1000, clock.deadline !== null);
  if (clock.deadline === null) return null;
  const window = Math.min(120_000, (idleTimeoutSeconds * 1000) / 2);
  const left = clock.deadline - now;
  if (left > window) return null;
  return (
    <div
      role="alert"
      className="idle-warning mx-auto mb-2 flex w-full max-w-3xl flex-wrap items-center gap-3 rounded-xl border border-warning-soft-fg/25 bg-warning-soft px-3.5 py-2.5 text-[13px] text-warning-soft-fg"
    >
      <Hourglass className="size-4 shrink-0" aria-hidden="true" />
      <p className="min-w-0 flex-1">
        {left > 0 ? (
          <>
            This session stops for inactivity in{" "}
            <span className="font-mono font-semibold tabular-nums">{countdown(left)}</span>.
          </>
        ) : (
          "This session is about to stop for inactivity."
        )}
      </p>
      <Button size="sm" variant="secondary" pending={clock.pending} onClick={clock.keepWorking}>
        Keep working
      </Button>
    </div>
  );
}
