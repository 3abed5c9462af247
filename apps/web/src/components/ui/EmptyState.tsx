import type { LucideIcon } from "lucide-react";
import type { ReactNode } from "react";
import { cn } from "../../lib/cn.ts";

export interface EmptyStateProps {
  icon: LucideIcon;
  title: ReactNode;
  description?: ReactNode;
  action?: ReactNode;
  /** Vertical room: compact inside cards with other content, roomy when it is the whole page. */
  spacing?: "compact" | "normal" | "roomy";
}

const paddings = { compact: "py-6", normal: "py-12", roomy: "py-24" };

export function EmptyState({ icon: Icon, title, description, action, spacing = "normal" }: EmptyStateProps) {
  return (
    <div className={cn("flex flex-col items-center px-6 text-center", paddings[spacing])}>
      <div className="mb-4 flex size-11 items-center justify-center rounded-xl border border-line bg-surface-muted text-fg-muted shadow-soft">
        <Icon className="size-5" aria-hidden="true" />
      </div>
      <p className="text-[15px] font-semibold text-fg">{title}</p>
      {description ? <p className="mt-1 max-w-sm text-[13px] text-fg-muted">{description}</p> : null}
      {action ? <div className="mt-5">{action}</div> : null}
    </div>
  );
}
