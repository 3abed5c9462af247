import type { ComponentProps } from "react";
import { cn } from "../../lib/cn.ts";
import { useFieldControl } from "./Field.tsx";

// Controls always fill their container; callers size them with a wrapper, so no class here
// ever has to win a specificity contest against a caller's class.
const controlClasses = cn(
  "w-full rounded-lg border border-line bg-surface text-fg shadow-soft transition-colors",
  "placeholder:text-fg-subtle hover:border-line-strong",
  "focus-visible:border-accent focus-visible:outline-none focus-visible:ring-3 focus-visible:ring-ring/25",
  "disabled:cursor-not-allowed disabled:bg-surface-muted disabled:text-fg-muted disabled:shadow-none",
  "aria-invalid:border-danger aria-invalid:focus-visible:ring-danger/20",
);

const heights = { md: "h-9 text-sm", sm: "h-8 text-[13px]" };

function useControlProps(id: string | undefined, describedBy: string | undefined, invalid: boolean) {
  const field = useFieldControl();
  const joined = [field?.describedBy, describedBy].filter(Boolean).join(" ") || undefined;
  return {
    id: id ?? field?.id,
    "aria-describedby": joined,
    "aria-invalid": invalid || field?.invalid || undefined,
  };
}

interface ControlOptions {
  /** sm for controls inside table rows. */
  controlSize?: "sm" | "md";
  monospace?: boolean;
}

export function Input({
  id,
  "aria-describedby": describedBy,
  "aria-invalid": invalid,
  controlSize = "md",
  monospace = false,
  className,
  ...props
}: Omit<ComponentProps<"input">, "className"> & ControlOptions & { className?: never }) {
  const control = useControlProps(id, describedBy, invalid === true || invalid === "true");
  return (
    <input
      className={cn(
        controlClasses,
        heights[controlSize],
        "px-3 read-only:bg-surface-muted",
        monospace && "font-mono",
      )}
      {...control}
      {...props}
    />
  );
}

export function Select({
  id,
  "aria-describedby": describedBy,
  controlSize = "md",
  children,
  ...props
}: Omit<ComponentProps<"select">, "className"> & Omit<ControlOptions, "monospace">) {
  const control = useControlProps(id, describedBy, false);
  return (
    <select
      className={cn(controlClasses, heights[controlSize], "cursor-pointer pr-8 pl-3")}
      {...control}
      {...props}
    >
      {children}
    </select>
  );
}
