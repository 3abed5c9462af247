import type { ComponentProps } from "react";
import { cn } from "../../lib/cn.ts";
import { useFieldControl } from "./Field.tsx";

const controlClasses = cn(
  "w-full rounded-lg border border-line bg-surface text-sm text-fg shadow-soft transition-colors",
  "placeholder:text-fg-subtle hover:border-line-strong",
  "focus-visible:border-accent focus-visible:outline-none focus-visible:ring-3 focus-visible:ring-ring/25",
  "disabled:cursor-not-allowed disabled:bg-surface-muted disabled:text-fg-muted disabled:shadow-none",
  "read-only:bg-surface-muted aria-invalid:border-danger aria-invalid:focus-visible:ring-danger/20",
);

function useControlProps(
  id: string | undefined,
  describedBy: string | undefined,
  invalid: boolean | undefined,
) {
  const field = useFieldControl();
  const joined = [field?.describedBy, describedBy].filter(Boolean).join(" ") || undefined;
  return {
    id: id ?? field?.id,
    "aria-describedby": joined,
    "aria-invalid": invalid || field?.invalid || undefined,
  };
}

export function Input({
  className,
  id,
  "aria-describedby": describedBy,
  "aria-invalid": invalid,
  ...props
}: ComponentProps<"input">) {
  const control = useControlProps(id, describedBy, invalid === true || invalid === "true");
  return <input className={cn(controlClasses, "h-9 px-3", className)} {...control} {...props} />;
}

export function Textarea({
  className,
  id,
  "aria-describedby": describedBy,
  ...props
}: ComponentProps<"textarea">) {
  const control = useControlProps(id, describedBy, undefined);
  return <textarea className={cn(controlClasses, "min-h-24 px-3 py-2", className)} {...control} {...props} />;
}

export function Select({
  className,
  id,
  "aria-describedby": describedBy,
  children,
  ...props
}: ComponentProps<"select">) {
  const control = useControlProps(id, describedBy, undefined);
  return (
    <select className={cn(controlClasses, "h-9 cursor-pointer pr-8 pl-3", className)} {...control} {...props}>
      {children}
    </select>
  );
}
