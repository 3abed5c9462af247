// A stacked bar chart drawn as plain SVG: a charting library would add 40–100 KB gzipped for one
// chart, this is a few. Bars live in a stretched SVG (preserveAspectRatio="none") while the axis
// labels are HTML placed by percentage, so text never stretches at any width.
import { formatUsd } from "../../lib/money.ts";
import { niceTicks, OTHER, type StackedChart } from "./chart-data.ts";
import { formatDay, seriesLabel } from "./labels.ts";
import { addDays } from "./usage-view.ts";

// Mid-lightness colours that keep 3:1 against both the light and the dark surface.
const PALETTE = [
  "oklch(0.6 0.19 275)",
  "oklch(0.66 0.14 165)",
  "oklch(0.7 0.15 65)",
  "oklch(0.6 0.2 25)",
  "oklch(0.64 0.14 230)",
  "oklch(0.6 0.19 330)",
];
const OTHER_COLOUR = "oklch(0.62 0.01 270)";

export function seriesColour(chart: StackedChart, key: string): string {
  if (key === OTHER) return OTHER_COLOUR;
  const index = chart.series.findIndex((series) => series.key === key);
  return PALETTE[index % PALETTE.length] ?? OTHER_COLOUR;
}

const HEIGHT = 1000;
const SLOT = 10;

function bucketLabel(chart: StackedChart, start: string, end: string): string {
  return chart.unit === "week"
    ? `${formatDay(start)} – ${formatDay(addDays(end, -1))}`
    : formatDay(start, true);
}

/** Every index for a few bars, else `count` evenly spread ones, always the first and the last. */
function labelIndices(length: number, count: number): number[] {
  if (length <= 8) return Array.from({ length }, (_, index) => index);
  const step = (length - 1) / (count - 1);
  return Array.from({ length: count }, (_, index) => Math.round(index * step));
}

export function SpendChart({ chart, labelledBy }: { chart: StackedChart; labelledBy: string }) {
  const ticks = niceTicks(chart.max);
  const top = Number(ticks.at(-1) ?? 1n) || 1;
  const width = chart.buckets.length * SLOT;
  const peak = chart.buckets.reduce(
    (best, bucket) => (bucket.total > best.total ? bucket : best),
    chart.buckets[0]!,
  );
  const first = chart.buckets[0]!;
  const last = chart.buckets.at(-1)!;
  const summary = `Cost per ${chart.unit} from ${formatDay(first.start, true)} to ${formatDay(addDays(last.end, -1), true)}, stacked by model: ${formatUsd(chart.total)} in all; the highest ${chart.unit} was ${bucketLabel(chart, peak.start, peak.end)} with ${formatUsd(peak.total)}. The table below has the numbers.`;
  const pct = (value: bigint) => (Number(value) / top) * 100;
  const labels = labelIndices(chart.buckets.length, 5);
  const onPhones = new Set([labels[0], labels[Math.floor(labels.length / 2)], labels.at(-1)]);

  return (
    <figure className="space-y-3">
      <div className="flex gap-2">
        {/* Tick labels: HTML, so they keep their size however wide the bars stretch. */}
        <div aria-hidden="true" className="relative h-44 w-16 shrink-0 sm:h-52">
          {ticks.map((tick) => (
            <span
              key={String(tick)}
              className="absolute right-0 translate-y-1/2 font-mono text-[11px] text-fg-muted tabular-nums"
              style={{ bottom: `${pct(tick)}%` }}
            >
              {formatUsd(tick)}
            </span>
          ))}
        </div>
        <div className="relative h-44 min-w-0 flex-1 sm:h-52">
          <svg
            role="img"
            aria-labelledby={labelledBy}
            aria-describedby={`${labelledBy}-summary`}
            viewBox={`0 0 ${width} ${HEIGHT}`}
            preserveAspectRatio="none"
            className="absolute inset-0 size-full overflow-visible"
          >
            <title>{`Cost per ${chart.unit}, by model`}</title>
            {ticks.map((tick) => (
              <line
                key={String(tick)}
                x1={0}
                x2={width}
                y1={HEIGHT - (pct(tick) / 100) * HEIGHT}
                y2={HEIGHT - (pct(tick) / 100) * HEIGHT}
                stroke="var(--line)"
                strokeWidth={1}
                vectorEffect="non-scaling-stroke"
              />
            ))}
            {chart.buckets.map((bucket, index) => {
              let base = 0;
              const label = bucketLabel(chart, bucket.start, bucket.end);
              const detail = bucket.segments
                .map((segment) => `${seriesLabel(segment.series)} ${formatUsd(segment.value)}`)
                .join(", ");
              return (
                <g key={bucket.start} className="[&:hover>rect.hit]:fill-(--surface-hover)">
                  <title>{`${label}: ${formatUsd(bucket.total)}${detail ? ` (${detail})` : ""}`}</title>
                  {/* A full-height target, so thin or empty bars still show their tooltip. */}
                  <rect
                    className="hit"
                    x={index * SLOT}
                    y={0}
                    width={SLOT}
                    height={HEIGHT}
                    fill="transparent"
                  />
                  {bucket.segments.map((segment) => {
                    const height = (Number(segment.value) / top) * HEIGHT;
                    const y = HEIGHT - base - height;
                    base += height;
                    return (
                      <rect
                        key={segment.series}
                        x={index * SLOT + SLOT * 0.15}
                        width={SLOT * 0.7}
                        y={y}
                        height={height}
                        fill={seriesColour(chart, segment.series)}
                        stroke="var(--surface)"
                        strokeWidth={1}
                        vectorEffect="non-scaling-stroke"
                      />
                    );
                  })}
                </g>
              );
            })}
          </svg>
        </div>
      </div>
      <div aria-hidden="true" className="relative ml-18 h-4 text-[11px] text-fg-muted">
        {labels.map((index) => {
          const bucket = chart.buckets[index]!;
          const centre = ((index + 0.5) / chart.buckets.length) * 100;
          const edge =
            index === 0
              ? "translate-x-0"
              : index === chart.buckets.length - 1
                ? "-translate-x-full"
                : "-translate-x-1/2";
          return (
            <span
              key={bucket.start}
              // Phones have room for the first, middle and last labels only.
              className={`absolute whitespace-nowrap ${edge} ${onPhones.has(index) ? "" : "max-sm:hidden"}`}
              style={{ left: index === 0 ? 0 : index === chart.buckets.length - 1 ? "100%" : `${centre}%` }}
            >
              {formatDay(bucket.start)}
            </span>
          );
        })}
      </div>
      <figcaption id={`${labelledBy}-summary`} className="sr-only">
        {summary}
      </figcaption>
      <ul aria-label="Models in the chart" className="flex flex-wrap gap-x-4 gap-y-1.5 text-xs">
        {chart.series.map((series) => (
          <li key={series.key} className="flex min-w-0 items-center gap-1.5">
            <span
              aria-hidden="true"
              className="size-2.5 shrink-0 rounded-sm"
              style={{ backgroundColor: seriesColour(chart, series.key) }}
            />
            <span className="truncate font-mono text-fg">{seriesLabel(series.key)}</span>
            <span className="font-mono text-fg-muted tabular-nums">{formatUsd(series.total)}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
