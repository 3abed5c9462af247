import type { HTMLAttributes, ReactNode } from "react";
import { cn } from "../../lib/cn.ts";

export function Card({
  className,
  tone = "default",
  ...props
}: HTMLAttributes<HTMLElement> & { tone?: "default" | "danger" }) {
  return (
    <section
      className={cn(
        "rounded-xl border bg-surface shadow-soft",
        tone === "danger" ? "border-danger/30" : "border-line",
        className,
      )}
      {...props}
    />
  );
}

export interface CardHeaderProps {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  /** Heading level inside the page outline. */
  level?: 2 | 3;
  id?: string;
}

export function CardHeader({ title, description, actions, level = 2, id }: CardHeaderProps) {
  const Heading = level === 2 ? "h2" : "h3";
  return (
    <div className="flex flex-wrap items-start justify-between gap-3 border-b border-line px-5 py-4">
      <div className="min-w-0 space-y-1">
        <Heading id={id} className="text-[15px] font-semibold text-fg">
          {title}
        </Heading>
        {description ? <p className="text-[13px] text-fg-muted">{description}</p> : null}
      </div>
      {actions ? <div className="flex shrink-0 items-center gap-2">{actions}</div> : null}
    </div>
  );
}

export function CardBody({ className, ...props }: HTMLAttributes<HTMLDivElement>) {
  return <div className={cn("px-5 py-5", className)} {...props} />;
}

export function CardFooter({ className, ...props }: HTMLAttributes<HTMLDivElement>) {
  return (
    <div
      className={cn(
        "flex flex-wrap items-center justify-end gap-3 rounded-b-xl border-t border-line bg-surface-muted/60 px-5 py-3",
        className,
      )}
      {...props}
    />
  );
}

/**
 * One irreversible action, explained, with its button (leaving or deleting an organisation,
 * deleting an account); `children` is its confirmation dialog.
 */
export function DangerCard({
  id,
  title,
  description,
  action,
  children,
}: {
  id: string;
  title: string;
  description: ReactNode;
  action: ReactNode;
  children?: ReactNode;
}) {
  return (
    <Card aria-labelledby={id} tone="danger">
      <CardBody className="flex flex-wrap items-center justify-between gap-4">
        <div className="space-y-1">
          <h2 id={id} className="text-[15px] font-semibold text-fg">
            {title}
          </h2>
          <p className="text-[13px] text-fg-muted">{description}</p>
        </div>
        {action}
      </CardBody>
      {children}
    </Card>
  );
}
