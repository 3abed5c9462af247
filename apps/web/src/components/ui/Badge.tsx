import type { ReactNode } from "react";
import { cn } from "../../lib/cn.ts";

export type BadgeTone = "neutral" | "accent" | "success" | "warning" | "danger";

const tones: Record<BadgeTone, string> = {
  neutral: "bg-surface-hover text-fg-muted ring-line",
  accent: "bg-accent-soft text-accent-soft-fg ring-accent/20",
  success: "bg-success-soft text-success-soft-fg ring-success-soft-fg/15",
  warning: "bg-warning-soft text-warning-soft-fg ring-warning-soft-fg/15",
  danger: "bg-danger-soft text-danger-soft-fg ring-danger/15",
};

export function Badge({
  tone = "neutral",
  children,
  className,
}: {
  tone?: BadgeTone;
  children: ReactNode;
  className?: string;
}) {
  return (
    <span
      className={cn(
        "inline-flex h-5 items-center gap-1 rounded-full px-2 text-xs font-medium whitespace-nowrap ring-1 ring-inset",
        tones[tone],
        className,
      )}
    >
      {children}
    </span>
  );
}
