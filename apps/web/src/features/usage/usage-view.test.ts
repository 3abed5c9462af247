import { describe, expect, it } from "vitest";
import {
  addDays,
  csvFileName,
  csvHref,
  hasNarrowingFilters,
  isDay,
  readView,
  type UsageView,
  viewToFilter,
  writeView,
} from "./usage-view.ts";

const params = (query: string) => new URLSearchParams(query);
const TODAY = "2026-11-23";

describe("readView", () => {
  it("defaults to the organisation's last 30 days for managers and to their own for members", () => {
    const admin = readView(params(""), true);
    expect(admin).toEqual({
      scope: "organization",
      range: "30d",
      from: null,
      to: null,
      userId: null,
      sessionId: null,
      provider: null,
      model: null,
      keySource: null,
      kinds: [],
      group: "model",
    });
    expect(readView(params(""), false).scope).toBe("mine");
  });

  it("never gives members the organisation scope, a person filter or a grouping by person", () => {
    const view = readView(params("scope=organization&user=u1&group=user"), false);
    expect(view.scope).toBe("mine");
    expect(view.userId).toBeNull();
    expect(view.group).toBe("model");
  });

  it("reads every filter", () => {
    const view = readView(
      params(
        "scope=organization&range=custom&from=2026-11-01&to=2026-11-15&user=u1&session=s1&provider=xai&model=grok-4&keySource=platform&kind=grant,usage&group=day",
      ),
      true,
    );
    expect(view).toEqual({
      scope: "organization",
      range: "custom",
      from: "2026-11-01",
      to: "2026-11-15",
      userId: "u1",
      sessionId: "s1",
      provider: "xai",
      model: "grok-4",
      keySource: "platform",
      kinds: ["usage", "grant"],
      group: "day",
    });
  });

  it("drops what it does not understand instead of failing", () => {
    const view = readView(
      params("range=forever&from=2026-02-30&provider=acme&keySource=stolen&kind=usage,bribe&group=color"),
      true,
    );
    expect(view.range).toBe("30d");
    expect(view.from).toBeNull();
    expect(view.provider).toBeNull();
    expect(view.keySource).toBeNull();
    expect(view.kinds).toEqual(["usage"]);
    expect(view.group).toBe("model");
  });

  it("ignores custom dates unless the range is custom", () => {
    expect(readView(params("range=7d&from=2026-11-01&to=2026-11-02"), true)).toMatchObject({
      from: null,
      to: null,
    });
  });
});

describe("writeView", () => {
  it("round-trips every view through the address bar", () => {
    const views = [
      "",
      "scope=mine",
      "range=today",
      "range=all&provider=anthropic",
      "range=custom&from=2026-10-01&to=2026-10-31&user=u2&session=s9&model=claude-haiku-4-5&keySource=direct&kind=grant,adjustment&group=user",
    ];
    for (const query of views) {
      const view = readView(params(query), true);
      expect(readView(writeView(view, true), true)).toEqual(view);
      expect(writeView(view, true).toString()).toBe(params(query).toString());
    }
  });

  it("leaves defaults out and never writes the scope for members", () => {
    const view = readView(params(""), false);
    expect(writeView(view, false).toString()).toBe("");
    expect(
      writeView(
        { ...readView(params(""), true), kinds: ["usage", "grant", "adjustment", "refund"] },
        true,
      ).toString(),
    ).toBe("");
  });
});

describe("viewToFilter", () => {
  const base: UsageView = readView(params(""), true);

  it("counts presets in whole UTC days back from today, today included, open-ended", () => {
    expect(viewToFilter({ ...base, range: "today" }, TODAY)).toEqual({
      ok: true,
      filter: { scope: "organization", from: new Date("2026-11-23T00:00:00.000Z") },
      firstDay: "2026-11-23",
      endDay: "2026-11-24",
    });
    const week = viewToFilter({ ...base, range: "7d" }, TODAY);
    expect(week.ok && week.filter.from).toEqual(new Date("2026-11-17T00:00:00.000Z"));
    const month = viewToFilter(base, TODAY);
    expect(month.ok && month.filter.from).toEqual(new Date("2026-10-25T00:00:00.000Z"));
    expect(viewToFilter({ ...base, range: "all" }, TODAY)).toEqual({
      ok: true,
      filter: { scope: "organization" },
      firstDay: null,
      endDay: "2026-11-24",
    });
  });

  it("includes a custom range's last day (the API's end is exclusive)", () => {
    const result = viewToFilter({ ...base, range: "custom", from: "2026-10-30", to: "2026-11-02" }, TODAY);
    expect(result).toEqual({
      ok: true,
      filter: {
        scope: "organization",
        from: new Date("2026-10-30T00:00:00.000Z"),
        to: new Date("2026-11-03T00:00:00.000Z"),
      },
      firstDay: "2026-10-30",
      endDay: "2026-11-03",
    });
  });

  it("says which custom date is missing or out of order", () => {
    expect(viewToFilter({ ...base, range: "custom", to: "2026-11-01" }, TODAY)).toMatchObject({
      ok: false,
      field: "from",
    });
    expect(viewToFilter({ ...base, range: "custom", from: "2026-11-02" }, TODAY)).toMatchObject({
      ok: false,
      field: "to",
    });
    expect(
      viewToFilter({ ...base, range: "custom", from: "2026-11-02", to: "2026-11-01" }, TODAY),
    ).toMatchObject({ ok: false, field: "to" });
    // One day is a valid range.
    expect(viewToFilter({ ...base, range: "custom", from: "2026-11-02", to: "2026-11-02" }, TODAY).ok).toBe(
      true,
    );
  });

  it("passes the narrowing filters through, kinds only when they narrow", () => {
    const result = viewToFilter(
      {
        ...base,
        range: "all",
        userId: "u1",
        sessionId: "s1",
        provider: "xai",
        model: "grok-4",
        keySource: "platform",
        kinds: ["usage"],
      },
      TODAY,
    );
    expect(result.ok && result.filter).toEqual({
      scope: "organization",
      userId: "u1",
      sessionId: "s1",
      provider: "xai",
      model: "grok-4",
      keySource: "platform",
      kind: ["usage"],
    });
    const mine = viewToFilter({ ...base, scope: "mine", userId: "u1" }, TODAY);
    expect(mine.ok && mine.filter.userId).toBeUndefined();
  });
});

describe("helpers", () => {
  it("knows real days", () => {
    expect(isDay("2028-02-29")).toBe(true);
    expect(isDay("2026-02-29")).toBe(false);
    expect(isDay("2026-1-5")).toBe(false);
    expect(isDay(null)).toBe(false);
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });

  it("tells narrowing filters from scope and period", () => {
    const base = readView(params("range=today&group=day"), true);
    expect(hasNarrowingFilters(base)).toBe(false);
    expect(hasNarrowingFilters({ ...base, kinds: ["usage"] })).toBe(true);
    expect(hasNarrowingFilters({ ...base, model: "grok-4" })).toBe(true);
  });

  it("links the CSV export to exactly the page's filter", () => {
    const filter = { scope: "mine" as const, from: new Date("2026-11-01T00:00:00.000Z"), model: "a&b" };
    const href = csvHref(filter);
    expect(href.startsWith("/api/usage/ledger.csv?filter=")).toBe(true);
    const sent = new URL(href, "http://studio").searchParams.get("filter");
    expect(JSON.parse(sent ?? "")).toEqual({ scope: "mine", from: "2026-11-01T00:00:00.000Z", model: "a&b" });
    expect(csvFileName(readView(params(""), true), "2026-10-25", "2026-11-24")).toBe(
      "usage-organisation-2026-10-25_to_2026-11-23.csv",
    );
    expect(csvFileName(readView(params("range=all"), false), null, "2026-11-24")).toBe(
      "usage-mine-until-2026-11-23.csv",
    );
  });
});
