// Turns the day-by-model summary into stacked bars: one bar per day (per week for long ranges),
// one segment per model. Amounts stay bigints until the very last step (pixel heights), so the
// totals and legend read exactly what the ledger holds. Pure functions, unit-tested.
import { addDays, dayStart } from "./usage-view.ts";

export interface DayModelRow {
  /** YYYY-MM-DD (UTC). */
  key: string;
  model: string | null;
  costMicroUsd: bigint;
}

export interface Series {
  /** The model id, or OTHER for the models folded together. */
  key: string;
  total: bigint;
}

export interface Bucket {
  /** First day in the bucket and the first day after it (YYYY-MM-DD). */
  start: string;
  end: string;
  total: bigint;
  /** In series order; zero segments are left out. */
  segments: { series: string; value: bigint }[];
}

export interface StackedChart {
  unit: "day" | "week";
  series: Series[];
  buckets: Bucket[];
  max: bigint;
  total: bigint;
}

export const OTHER = "\u0000other";
/** Beyond this many days a bar per day gets too thin to read: bars become weeks. */
export const MAX_DAY_BARS = 92;

/**
 * Stacks cost per bucket by model. The costliest `maxSeries - 1` models keep their own colour
 * when there are more than `maxSeries`; the rest become one "other models" series. The axis runs
 * from `firstDay` (or the earliest day with data) to the day before `endDay`, empty days included,
 * so gaps in spending show as gaps.
 */
export function stackByModel(
  rows: readonly DayModelRow[],
  range: { firstDay: string | null; endDay: string },
  maxSeries = 6,
): StackedChart {
  const costly = rows.filter((row) => row.costMicroUsd > 0n);
  const byModel = new Map<string, bigint>();
  for (const row of costly)
    byModel.set(row.model ?? "", (byModel.get(row.model ?? "") ?? 0n) + row.costMicroUsd);
  const ranked = [...byModel.entries()].sort((a, b) =>
    a[1] === b[1] ? a[0].localeCompare(b[0]) : a[1] > b[1] ? -1 : 1,
  );
  const kept = ranked.length > maxSeries ? ranked.slice(0, maxSeries - 1) : ranked;
  const keptKeys = new Set(kept.map(([model]) => model));
  const series: Series[] = kept.map(([key, total]) => ({ key, total }));
  const folded = ranked.filter(([model]) => !keptKeys.has(model));
  if (folded.length > 0)
    series.push({ key: OTHER, total: folded.reduce((sum, [, total]) => sum + total, 0n) });

  const earliest = costly.reduce<string | null>(
    (min, row) => (min === null || row.key < min ? row.key : min),
    null,
  );
  const first = range.firstDay ?? earliest;
  if (first === null || first >= range.endDay) {
    return { unit: "day", series, buckets: [], max: 0n, total: 0n };
  }
  const days = Math.round((dayStart(range.endDay).getTime() - dayStart(first).getTime()) / 86_400_000);
  const unit = days > MAX_DAY_BARS ? "week" : "day";
  const start = unit === "week" ? mondayOf(first) : first;
  const buckets: Bucket[] = [];
  for (let day = start; day < range.endDay; day = addDays(day, unit === "week" ? 7 : 1)) {
    buckets.push({ start: day, end: addDays(day, unit === "week" ? 7 : 1), total: 0n, segments: [] });
  }

  const sums = buckets.map(() => new Map<string, bigint>());
  for (const row of costly) {
    const index = buckets.findIndex((bucket) => row.key >= bucket.start && row.key < bucket.end);
    const sum = sums[index];
    if (!sum) continue; // outside the axis (a filter the server applied differently): not drawn
    const key = keptKeys.has(row.model ?? "") ? (row.model ?? "") : OTHER;
    sum.set(key, (sum.get(key) ?? 0n) + row.costMicroUsd);
  }
  let max = 0n;
  let total = 0n;
  buckets.forEach((bucket, index) => {
    const sum = sums[index]!;
    bucket.segments = series
      .map(({ key }) => ({ series: key, value: sum.get(key) ?? 0n }))
      .filter((segment) => segment.value > 0n);
    bucket.total = bucket.segments.reduce((acc, segment) => acc + segment.value, 0n);
    if (bucket.total > max) max = bucket.total;
    total += bucket.total;
  });
  return { unit, series, buckets, max, total };
}

/** The Monday on or before a day (weeks start on Monday, ISO-style). */
export function mondayOf(day: string): string {
  const weekday = dayStart(day).getUTCDay(); // 0 = Sunday
  return addDays(day, weekday === 0 ? -6 : 1 - weekday);
}

/**
 * Round axis values from zero past `max`: steps of 1, 2 or 5 times a power of ten, in whole
 * micro-USD, so every tick label is an exact, short amount.
 */
export function niceTicks(max: bigint, target = 4): bigint[] {
  if (max <= 0n) return [0n];
  const raw = Number(max) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw) ?? 10 * power;
  const step = BigInt(Math.max(1, Math.round(nice)));
  const ticks: bigint[] = [];
  for (let value = 0n; ; value += step) {
    ticks.push(value);
    if (value >= max) break;
  }
  return ticks;
}

export interface SummaryRow {
  key: string;
  label: string;
  count: bigint;
  inputTokens: bigint;
  outputTokens: bigint;
  cachedTokens: bigint;
  amountMicroUsd: bigint;
  costMicroUsd: bigint;
}

/** The day-by-model rows summed per day, for the table grouped by day (newest day first). */
export function sumDays(rows: readonly SummaryRow[]): SummaryRow[] {
  const byDay = new Map<string, SummaryRow>();
  for (const row of rows) {
    const sum = byDay.get(row.key);
    if (!sum) {
      byDay.set(row.key, {
        key: row.key,
        label: row.label,
        count: row.count,
        inputTokens: row.inputTokens,
        outputTokens: row.outputTokens,
        cachedTokens: row.cachedTokens,
        amountMicroUsd: row.amountMicroUsd,
        costMicroUsd: row.costMicroUsd,
      });
      continue;
    }
    sum.count += row.count;
    sum.inputTokens += row.inputTokens;
    sum.outputTokens += row.outputTokens;
    sum.cachedTokens += row.cachedTokens;
    sum.amountMicroUsd += row.amountMicroUsd;
    sum.costMicroUsd += row.costMicroUsd;
  }
  return [...byDay.values()].sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
}
