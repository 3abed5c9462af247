import { CircleCheck, CircleExclamationPoint, Info, TriangleExclamationPoint } from "lucide-react";
import type { ReactNode } from "react";
import { cn } from "../../lib/cn.ts";

export type AlertTone = "danger" | "warning" | "success" | "info";

const tones: Record<AlertTone, { classes: string; Icon: typeof Info }> = {
  danger: { classes: "border-danger/25 bg-danger-soft text-danger-soft-fg", Icon: CircleExclamationPoint },
  warning: {
    classes: "border-warning-soft-fg/25 bg-warning-soft text-warning-soft-fg",
    Icon: TriangleExclamationPoint,
  },
  success: { classes: "border-success-soft-fg/25 bg-success-soft text-success-soft-fg", Icon: CircleCheck },
  info: { classes: "border-accent/20 bg-accent-soft text-accent-soft-fg", Icon: Info },
};

export interface AlertProps {
  tone?: AlertTone;
  title?: ReactNode;
  children?: ReactNode;
  action?: ReactNode;
  className?: string;
}

/** An inline notice. Problems are announced (role=alert); other tones politely (role=status). */
export function Alert({ tone = "danger", title, children, action, className }: AlertProps) {
  const { classes, Icon } = tones[tone];
  return (
    <div
      role={tone === "danger" ? "alert" : "status"}
      className={cn("flex items-start gap-2.5 rounded-lg border px-3 py-2.5 text-[13px]", classes, className)}
    >
      <Icon className="mt-px size-4 shrink-0" aria-hidden="true" />
      <div className="min-w-0 flex-1 space-y-0.5 leading-5">
        {title ? <p className="font-medium">{title}</p> : null}
        {children ? <div className={title ? "opacity-90" : undefined}>{children}</div> : null}
      </div>
      {action ? <div className="shrink-0">{action}</div> : null}
    </div>
  );
}
