import { LoaderCircle } from "lucide-react";
import { cn } from "../../lib/cn.ts";

export function Spinner({ className, label }: { className?: string; label?: string }) {
  return (
    <LoaderCircle
      className={cn("size-4 shrink-0 motion-safe:animate-spin", className)}
      aria-hidden={label ? undefined : true}
      aria-label={label}
      role={label ? "status" : undefined}
    />
  );
}

/** Centred spinner for a whole page or panel while its first data loads. */
export function PageSpinner({ label = "Loading" }: { label?: string }) {
  return (
    <div className="flex min-h-48 flex-1 items-center justify-center text-fg-muted">
      <Spinner label={label} />
    </div>
  );
}

/** For a card's header while it refetches with its previous data still shown. */
export function UpdatingNote() {
  return (
    <span className="flex items-center gap-1.5 text-xs text-fg-muted">
      <Spinner /> Updating…
    </span>
  );
}
