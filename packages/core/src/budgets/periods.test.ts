import { describe, expect, it } from "vitest";
import { isTimeZone, localDay, periodWindow, projectedSpend, startOfLocalDay } from "./periods.ts";

const at = (iso: string) => new Date(iso);

describe("budget periods", () => {
  it("cuts days, ISO weeks and months at the organisation's midnight", () => {
    // 23:30 UTC on Sunday 31 May is already Monday 1 June in Berlin (UTC+2).
    const now = at("2026-05-31T23:30:00Z");
    expect(periodWindow("day", now, "UTC")).toEqual({
      startDay: "2026-05-31",
      nextStartDay: "2026-06-01",
      startsAt: at("2026-05-31T00:00:00Z"),
      resetsAt: at("2026-06-01T00:00:00Z"),
    });
    expect(periodWindow("month", now, "UTC").startDay).toBe("2026-05-01");
    expect(periodWindow("month", now, "Europe/Berlin")).toEqual({
      startDay: "2026-06-01",
      nextStartDay: "2026-07-01",
      startsAt: at("2026-05-31T22:00:00Z"),
      resetsAt: at("2026-06-30T22:00:00Z"),
    });
    expect(periodWindow("week", now, "UTC")).toMatchObject({
      startDay: "2026-05-25",
      nextStartDay: "2026-06-01",
    });
    expect(periodWindow("week", now, "Europe/Berlin")).toMatchObject({
      startDay: "2026-06-01",
      nextStartDay: "2026-06-08",
    });
    // West of UTC: still the previous evening.
    expect(periodWindow("day", at("2026-06-01T03:00:00Z"), "America/New_York").startDay).toBe("2026-05-31");
  });

  it("rolls months over at year ends and in leap years", () => {
    expect(periodWindow("month", at("2026-12-31T12:00:00Z"), "UTC").nextStartDay).toBe("2027-01-01");
    expect(periodWindow("month", at("2028-02-29T12:00:00Z"), "UTC")).toMatchObject({
      startDay: "2028-02-01",
      nextStartDay: "2028-03-01",
    });
    expect(periodWindow("week", at("2026-12-31T12:00:00Z"), "UTC")).toMatchObject({
      startDay: "2026-12-28",
      nextStartDay: "2027-01-04",
    });
  });

  it("finds local midnight across daylight-saving changes", () => {
    // New York moves to summer time on 8 March 2026 at 02:00: midnight is still EST (UTC-5).
    expect(startOfLocalDay("2026-03-08", "America/New_York")).toEqual(at("2026-03-08T05:00:00Z"));
    expect(startOfLocalDay("2026-03-09", "America/New_York")).toEqual(at("2026-03-09T04:00:00Z"));
    // A day is 23 hours long there, and the window says so.
    const window = periodWindow("day", at("2026-03-08T12:00:00Z"), "America/New_York");
    expect(window.resetsAt.getTime() - window.startsAt.getTime()).toBe(23 * 3_600_000);
    expect(localDay(at("2026-03-09T03:59:59Z"), "America/New_York")).toBe("2026-03-08");
  });

  it("answers from the window it remembers only for instants inside it", () => {
    const zone = "Europe/Berlin"; // local midnight of 10 June is 22:00 UTC on the 9th
    const first = periodWindow("day", at("2026-06-10T12:00:00Z"), zone);
    expect(periodWindow("day", at("2026-06-09T22:00:00Z"), zone)).toBe(first);
    expect(periodWindow("day", at("2026-06-10T21:59:59.999Z"), zone)).toBe(first);
    const before = periodWindow("day", at("2026-06-09T21:59:59.999Z"), zone);
    expect(before.startDay).toBe("2026-06-09");
    const after = periodWindow("day", at("2026-06-10T22:00:00Z"), zone);
    expect(after).toMatchObject({ startDay: "2026-06-11", nextStartDay: "2026-06-12" });
    // Other zones and periods are remembered apart.
    expect(periodWindow("day", at("2026-06-10T12:00:00Z"), "UTC").startsAt).toEqual(
      at("2026-06-10T00:00:00Z"),
    );
    expect(periodWindow("month", at("2026-06-10T12:00:00Z"), zone).startDay).toBe("2026-06-01");
    expect(Object.isFrozen(after)).toBe(true);
  });

  it("knows time zones", () => {
    expect(isTimeZone("Europe/Paris")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(isTimeZone("")).toBe(false);
  });

  it("projects the period's spend from its pace, not from a first minute", () => {
    const window = periodWindow("day", at("2026-06-10T06:00:00Z"), "UTC");
    expect(projectedSpend(1_000_000n, window, at("2026-06-10T06:00:00Z"))).toBe(4_000_000n);
    expect(projectedSpend(1_000_000n, window, at("2026-06-10T00:10:00Z"))).toBe(1_000_000n);
  });
});
