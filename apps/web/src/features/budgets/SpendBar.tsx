import { cn } from "../../lib/cn.ts";
import { formatUsd } from "../../lib/money.ts";
import { BANNER_PERCENT, barGeometry, formatPercent } from "./budget-math.ts";

/**
 * Spend against a limit: the filled part is spent, the lighter part up to the tick is the spend
 * projected at the period's end. A progressbar for assistive technology, its value the percent
 * spent (capped at 100; the text says how far past it went).
 */
export function SpendBar({
  label,
  spentMicroUsd,
  limitMicroUsd,
  projectedMicroUsd,
  className,
}: {
  label: string;
  spentMicroUsd: bigint;
  limitMicroUsd: bigint;
  projectedMicroUsd: bigint | null;
  className?: string;
}) {
  const bar = barGeometry(spentMicroUsd, limitMicroUsd, projectedMicroUsd);
  const projectedBeyond = projectedMicroUsd !== null && bar.projectedWidth > bar.spentWidth;
  const valueText = `${formatPercent(bar.percent)} spent, ${formatUsd(spentMicroUsd)} of ${formatUsd(limitMicroUsd)}${
    projectedMicroUsd === null ? "" : `; projected ${formatUsd(projectedMicroUsd)} by the period's end`
  }`;
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.min(100, bar.percent)}
      aria-valuetext={valueText}
      data-percent={bar.percent}
      className={cn("relative h-2 w-full overflow-hidden rounded-full bg-surface-hover", className)}
    >
      {projectedBeyond ? (
        <div
          className={cn(
            "absolute inset-y-0 left-0 rounded-full bg-[repeating-linear-gradient(135deg,currentColor_0_3px,transparent_3px_6px)] opacity-35",
            bar.projectedPercent >= 100 ? "text-danger" : "text-accent",
          )}
          style={{ width: `${bar.projectedWidth}%` }}
        />
      ) : null}
      <div
        className={cn(
          "absolute inset-y-0 left-0 rounded-full transition-[width] duration-300 ease-out",
          bar.over ? "bg-danger" : bar.percent >= BANNER_PERCENT ? "bg-warning-soft-fg" : "bg-accent",
        )}
        style={{ width: `${bar.spentWidth}%` }}
      />
      {projectedBeyond && bar.projectedWidth < 100 ? (
        <div
          className="absolute inset-y-0 w-0.5 bg-fg-muted"
          style={{ left: `calc(${bar.projectedWidth}% - 1px)` }}
        />
      ) : null}
    </div>
  );
}

/** The legend the bars share: what the solid and the hatched parts mean. */
export function SpendBarLegend() {
  return (
    <ul className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-fg-muted">
      <li className="flex items-center gap-1.5">
        <span aria-hidden="true" className="h-2 w-4 rounded-full bg-accent" />
        Spent
      </li>
      <li className="flex items-center gap-1.5">
        <span
          aria-hidden="true"
          className="h-2 w-4 rounded-full bg-[repeating-linear-gradient(135deg,currentColor_0_3px,transparent_3px_6px)] text-accent opacity-50"
        />
        Projected by the period's end
      </li>
      <li className="flex items-center gap-1.5">
        <span aria-hidden="true" className="h-2 w-4 rounded-full bg-danger" />
        Limit reached
      </li>
    </ul>
  );
}
