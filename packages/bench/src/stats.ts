/** Percentile by nearest rank; `values` need not be sorted. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (values: number[]) => percentile(values, 50);

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Milliseconds on CLOCK_MONOTONIC: the same clock in every process, so times compare across them. */
export const now = () => Number(process.hrtime.bigint()) / 1e6;

/** A target's verdict in a report's table. */
export const ok = (pass: boolean) => (pass ? "met" : "**not met**");
