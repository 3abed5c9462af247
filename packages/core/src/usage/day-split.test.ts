import { describe, expect, it } from "vitest";
import { splitByWholeDays } from "./day-split.ts";

const at = (iso: string) => new Date(iso);

describe("splitByWholeDays", () => {
  it("reads an open range from the daily totals alone", () => {
    expect(splitByWholeDays(undefined, undefined)).toEqual({
      wholeDays: { fromDay: null, toDay: null },
      partial: [],
    });
  });

  it("keeps midnight-aligned ranges whole", () => {
    expect(splitByWholeDays(at("2026-10-01T00:00:00Z"), at("2026-10-31T00:00:00Z"))).toEqual({
      wholeDays: { fromDay: "2026-10-01", toDay: "2026-10-31" },
      partial: [],
    });
  });

  it("reads the partial days at both ends from the entries", () => {
    expect(splitByWholeDays(at("2026-10-01T10:30:00Z"), at("2026-10-05T06:00:00Z"))).toEqual({
      wholeDays: { fromDay: "2026-10-02", toDay: "2026-10-05" },
      partial: [
        { from: at("2026-10-01T10:30:00Z"), to: at("2026-10-02T00:00:00Z") },
        { from: at("2026-10-05T00:00:00Z"), to: at("2026-10-05T06:00:00Z") },
      ],
    });
    expect(splitByWholeDays(at("2026-10-01T10:30:00Z"), undefined)).toEqual({
      wholeDays: { fromDay: "2026-10-02", toDay: null },
      partial: [{ from: at("2026-10-01T10:30:00Z"), to: at("2026-10-02T00:00:00Z") }],
    });
  });

  it("uses the entries alone for a range without a whole day", () => {
    const from = at("2026-10-01T10:00:00Z");
    const to = at("2026-10-02T09:00:00Z");
    expect(splitByWholeDays(from, to)).toEqual({ wholeDays: null, partial: [{ from, to }] });
    const sameDay = splitByWholeDays(at("2026-10-01T01:00:00Z"), at("2026-10-01T02:00:00Z"));
    expect(sameDay.wholeDays).toBeNull();
  });
});
