import { describe, expect, it } from "vitest";
import {
  type DayModelRow,
  MAX_DAY_BARS,
  mondayOf,
  niceTicks,
  OTHER,
  stackByModel,
  sumDays,
} from "./chart-data.ts";

const row = (key: string, model: string | null, cost: bigint): DayModelRow => ({
  key,
  model,
  costMicroUsd: cost,
});

describe("stackByModel", () => {
  it("draws one bar per day of the range, empty days included, segments in series order", () => {
    const chart = stackByModel(
      [
        row("2026-11-20", "grok-4", 1_000_000n),
        row("2026-11-20", "claude-haiku-4-5", 3_000_000n),
        row("2026-11-22", "grok-4", 500_000n),
      ],
      { firstDay: "2026-11-20", endDay: "2026-11-23" },
    );
    expect(chart.unit).toBe("day");
    expect(chart.series).toEqual([
      { key: "claude-haiku-4-5", total: 3_000_000n },
      { key: "grok-4", total: 1_500_000n },
    ]);
    expect(chart.buckets).toEqual([
      {
        start: "2026-11-20",
        end: "2026-11-21",
        total: 4_000_000n,
        segments: [
          { series: "claude-haiku-4-5", value: 3_000_000n },
          { series: "grok-4", value: 1_000_000n },
        ],
      },
      { start: "2026-11-21", end: "2026-11-22", total: 0n, segments: [] },
      {
        start: "2026-11-22",
        end: "2026-11-23",
        total: 500_000n,
        segments: [{ series: "grok-4", value: 500_000n }],
      },
    ]);
    expect(chart.max).toBe(4_000_000n);
    expect(chart.total).toBe(4_500_000n);
  });

  it("leaves out what cost nothing (grants, free endpoints) and starts at the first costly day when open-ended", () => {
    const chart = stackByModel(
      [row("2026-11-01", null, 0n), row("2026-11-03", "scripted-1", 0n), row("2026-11-04", "grok-4", 7n)],
      { firstDay: null, endDay: "2026-11-06" },
    );
    expect(chart.series).toEqual([{ key: "grok-4", total: 7n }]);
    expect(chart.buckets.map((bucket) => bucket.start)).toEqual(["2026-11-04", "2026-11-05"]);
  });

  it("has no bars without any cost", () => {
    expect(stackByModel([], { firstDay: null, endDay: "2026-11-06" })).toEqual({
      unit: "day",
      series: [],
      buckets: [],
      max: 0n,
      total: 0n,
    });
  });

  it("folds the cheapest models into one series beyond the colours it has, keeping the sums exact", () => {
    const rows = ["a", "b", "c", "d"].map((model, index) => row("2026-11-01", model, BigInt(10 - index)));
    const chart = stackByModel(rows, { firstDay: "2026-11-01", endDay: "2026-11-02" }, 3);
    expect(chart.series).toEqual([
      { key: "a", total: 10n },
      { key: "b", total: 9n },
      { key: OTHER, total: 15n },
    ]);
    expect(chart.buckets[0]?.segments).toEqual([
      { series: "a", value: 10n },
      { series: "b", value: 9n },
      { series: OTHER, value: 15n },
    ]);
    expect(chart.total).toBe(34n);
    // Exactly as many models as colours: no folding.
    expect(stackByModel(rows.slice(0, 3), { firstDay: null, endDay: "2026-11-02" }, 3).series).toHaveLength(
      3,
    );
  });

  it("switches to weekly bars (Monday to Sunday) for long ranges", () => {
    const chart = stackByModel(
      [row("2026-01-07", "grok-4", 1n), row("2026-01-11", "grok-4", 2n), row("2026-01-12", "grok-4", 4n)],
      { firstDay: "2026-01-07", endDay: "2026-06-01" },
    );
    expect(chart.unit).toBe("week");
    expect(chart.buckets[0]).toEqual({
      start: "2026-01-05",
      end: "2026-01-12",
      total: 3n,
      segments: [{ series: "grok-4", value: 3n }],
    });
    expect(chart.buckets[1]?.total).toBe(4n);
    expect(chart.buckets.length).toBeLessThanOrEqual(MAX_DAY_BARS);
    expect(chart.total).toBe(7n);
  });
});

describe("axis and table helpers", () => {
  it("finds Mondays", () => {
    expect(mondayOf("2026-11-23")).toBe("2026-11-23"); // a Monday
    expect(mondayOf("2026-11-22")).toBe("2026-11-16"); // Sunday
    expect(mondayOf("2026-11-25")).toBe("2026-11-23");
  });

  it("picks round ticks from zero past the maximum", () => {
    expect(niceTicks(0n)).toEqual([0n]);
    expect(niceTicks(4_500_000n)).toEqual([0n, 2_000_000n, 4_000_000n, 6_000_000n]);
    expect(niceTicks(1_000_000n)).toEqual([0n, 500_000n, 1_000_000n]);
    expect(niceTicks(3n)).toEqual([0n, 1n, 2n, 3n]);
  });

  it("sums the day-by-model rows per day, newest first", () => {
    const base = { label: "", inputTokens: 1n, outputTokens: 2n, cachedTokens: 0n };
    const rows = [
      { ...base, key: "2026-11-01", count: 1n, amountMicroUsd: -5n, costMicroUsd: 5n },
      { ...base, key: "2026-11-01", count: 2n, amountMicroUsd: 0n, costMicroUsd: 7n },
      { ...base, key: "2026-11-02", count: 1n, amountMicroUsd: 100n, costMicroUsd: 0n },
    ];
    expect(sumDays(rows)).toEqual([
      { ...base, key: "2026-11-02", count: 1n, amountMicroUsd: 100n, costMicroUsd: 0n },
      {
        ...base,
        key: "2026-11-01",
        count: 3n,
        inputTokens: 2n,
        outputTokens: 4n,
        amountMicroUsd: -5n,
        costMicroUsd: 12n,
      },
    ]);
    // The input rows are not changed.
    expect(rows[0]?.count).toBe(1n);
  });
});
