import { cn } from "../../../lib/cn.ts";
import { clampPercent } from "./source-format.ts";

/**
 * A determinate bar when the percentage is known, an indeterminate (pulsing) one when not. `label`
 * names it for assistive technology; `valueText` is what is read out ("42% · 3.1 MB received").
 */
export function ProgressBar({
  percent,
  label,
  valueText,
  tone = "accent",
  className,
}: {
  percent: number | null;
  label: string;
  valueText?: string | undefined;
  tone?: "accent" | "danger";
  className?: string;
}) {
  const value = clampPercent(percent);
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value === null ? undefined : Math.floor(value)}
      aria-valuetext={valueText}
      className={cn("h-1.5 w-full overflow-hidden rounded-full bg-surface-hover", className)}
    >
      <div
        className={cn(
          "h-full rounded-full transition-[width] duration-300 ease-out",
          tone === "danger" ? "bg-danger" : "bg-accent",
          value === null && "w-1/3 motion-safe:animate-pulse",
        )}
        style={value === null ? undefined : { width: `${value}%` }}
      />
    </div>
  );
}
