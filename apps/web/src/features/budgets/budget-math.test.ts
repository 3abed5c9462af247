import { describe, expect, it } from "vitest";
import { formatUsd } from "../../lib/money.ts";
import {
  alertSubjectLabel,
  bannerMessages,
  barGeometry,
  type CoveringBudget,
  coverageLabel,
  orderMemberUsage,
  parseLimit,
  parseOptionalCount,
  parseThresholds,
  percentSpent,
} from "./budget-math.ts";

describe("percent of a budget spent", () => {
  it("rounds down, so an almost spent budget never reads as spent", () => {
    expect(percentSpent(9_999n, 10_000n)).toBe(99);
    expect(percentSpent(10_000n, 10_000n)).toBe(100);
    expect(percentSpent(30_000n, 10_000n)).toBe(300);
    expect(percentSpent(0n, 10_000n)).toBe(0);
  });

  it("counts a zero limit as spent from the start", () => {
    expect(percentSpent(0n, 0n)).toBe(100);
  });

  it("stays exact on amounts a float would round", () => {
    expect(percentSpent(999_999_999_999n, 1_000_000_000_000n)).toBe(99);
  });
});

describe("a bar of spend against a limit", () => {
  it("fills the track at most, and marks the projection beyond the spend", () => {
    expect(barGeometry(2_500n, 10_000n, 7_500n)).toEqual({
      spentWidth: 25,
      projectedWidth: 75,
      percent: 25,
      projectedPercent: 75,
      over: false,
    });
    const over = barGeometry(30_000n, 10_000n, 90_000n);
    expect(over.spentWidth).toBe(100);
    expect(over.projectedWidth).toBe(100);
    expect(over.percent).toBe(300);
    expect(over.over).toBe(true);
  });

  it("never projects less than is already spent", () => {
    expect(barGeometry(5_000n, 10_000n, 1_000n).projectedWidth).toBe(50);
    expect(barGeometry(5_000n, 10_000n, null).projectedWidth).toBe(50);
  });
});

describe("typed thresholds", () => {
  it("takes commas, spaces and percent signs, sorted and without repeats", () => {
    expect(parseThresholds("80, 50 100% 80")).toEqual({ ok: true, percents: [50, 80, 100] });
    expect(parseThresholds("")).toEqual({ ok: true, percents: [] });
  });

  it("refuses what is not a whole percentage from 1 to 1000", () => {
    for (const text of ["0", "1001", "50.5", "-10", "fifty", "1e3", "<script>"]) {
      expect(parseThresholds(text).ok, text).toBe(false);
    }
    expect(parseThresholds("1, 1000")).toEqual({ ok: true, percents: [1, 1000] });
  });

  it("takes at most ten", () => {
    expect(parseThresholds("1 2 3 4 5 6 7 8 9 10").ok).toBe(true);
    expect(parseThresholds("1 2 3 4 5 6 7 8 9 10 11")).toEqual({
      ok: false,
      message: "At most 10 thresholds.",
    });
  });
});

describe("a typed limit", () => {
  it("reads dollars exactly", () => {
    expect(parseLimit("0.01")).toEqual({ ok: true, microUsd: 10_000n });
    expect(parseLimit("$1,000")).toEqual({ ok: true, microUsd: 1_000_000_000n });
    expect(parseLimit("0")).toEqual({ ok: true, microUsd: 0n });
  });

  it("refuses empty, negative, malformed and too large amounts", () => {
    for (const text of ["", "  ", "-1", "abc", "1.0000001", "1000000.01", "1e6"]) {
      expect(parseLimit(text).ok, text).toBe(false);
    }
    expect(parseLimit("1000000")).toEqual({ ok: true, microUsd: 1_000_000_000_000n });
  });
});

describe("an organisation limit", () => {
  it("is a whole number in range, or empty for the default", () => {
    expect(parseOptionalCount("", 100)).toEqual({ ok: true, value: null });
    expect(parseOptionalCount(" 60 ", 100)).toEqual({ ok: true, value: 60 });
    for (const text of ["0", "101", "1.5", "-3", "x"])
      expect(parseOptionalCount(text, 100).ok, text).toBe(false);
  });
});

describe("who a budget covers", () => {
  it("names the organisation, the default, a member or a token", () => {
    expect(coverageLabel("organization", null)).toBe("Organisation");
    expect(coverageLabel("member_default", null)).toBe("Every member (default)");
    expect(coverageLabel("member", { kind: "member", userId: "u", name: "Ada", email: "a@x" })).toBe("Ada");
    expect(coverageLabel("api_token", { kind: "token", apiTokenId: "t", name: "CI" })).toBe("CI");
  });
});

describe("the budget banner", () => {
  const resetsAt = new Date("2027-01-01T00:00:00Z");
  const budget = (over: Partial<CoveringBudget>): CoveringBudget => ({
    budgetId: "b1",
    scope: "member",
    period: "month",
    limitMicroUsd: 10_000n,
    hard: true,
    spentMicroUsd: 0n,
    remainingMicroUsd: 10_000n,
    resetsAt,
    crossedPercent: null,
    ...over,
  });
  const when = () => "1 Jan 2027";

  it("says nothing below 80 %", () => {
    expect(bannerMessages([budget({ spentMicroUsd: 5_000n, crossedPercent: 50 })], formatUsd, when)).toEqual(
      [],
    );
  });

  it("warns once a threshold of 80 % or more is crossed", () => {
    const [message] = bannerMessages(
      [budget({ spentMicroUsd: 8_500n, crossedPercent: 80 })],
      formatUsd,
      when,
    );
    expect(message?.level).toBe("warning");
    expect(message?.title).toBe("Your monthly budget is 85 % spent.");
    expect(message?.text).toContain("$0.0085 of $0.01 used; it resets on 1 Jan 2027.");
  });

  it("says a spent hard budget refuses calls, before any warning", () => {
    const messages = bannerMessages(
      [
        budget({ budgetId: "a", scope: "organization", spentMicroUsd: 9_000n, crossedPercent: 80 }),
        budget({ budgetId: "z", spentMicroUsd: 30_000n, crossedPercent: 100 }),
      ],
      formatUsd,
      when,
    );
    expect(messages.map((m) => m.level)).toEqual(["spent", "warning"]);
    expect(messages[0]?.title).toBe("Your monthly budget of $0.01 is spent.");
    expect(messages[0]?.text).toBe("The agent's model calls are refused until it resets on 1 Jan 2027.");
    expect(messages[1]?.title).toBe("The organisation's monthly budget is 90 % spent.");
  });

  it("remembers a dismissal per budget, period and level", () => {
    const [warning] = bannerMessages(
      [budget({ spentMicroUsd: 8_000n, crossedPercent: 80 })],
      formatUsd,
      when,
    );
    const [spent] = bannerMessages(
      [budget({ spentMicroUsd: 10_000n, crossedPercent: 100 })],
      formatUsd,
      when,
    );
    const [next] = bannerMessages(
      [budget({ spentMicroUsd: 10_000n, crossedPercent: 100, resetsAt: new Date("2027-02-01T00:00:00Z") })],
      formatUsd,
      when,
    );
    expect(new Set([warning?.dismissKey, spent?.dismissKey, next?.dismissKey]).size).toBe(3);
  });

  it("only warns for a spent soft budget: nothing is refused", () => {
    const [message] = bannerMessages(
      [budget({ hard: false, spentMicroUsd: 20_000n, crossedPercent: 100 })],
      formatUsd,
      when,
    );
    expect(message?.level).toBe("warning");
    expect(message?.text).not.toContain("refused");
  });
});

describe("whom an alert is about", () => {
  const members = new Map([["u1", "Ada"]]);
  const tokens = new Map([["t1", "CI deploys"]]);
  it("names the organisation, members and tokens", () => {
    expect(alertSubjectLabel("org", members, tokens)).toBe("Organisation");
    expect(alertSubjectLabel("member:u1", members, tokens)).toBe("Ada");
    expect(alertSubjectLabel("token:t1", members, tokens)).toBe("CI deploys");
  });
  it("never shows an id it cannot name", () => {
    expect(alertSubjectLabel("member:gone", members, tokens)).toBe("A former member");
    expect(alertSubjectLabel("token:gone", members, tokens)).toBe("An API token");
  });
});

describe("the order of members on the usage page", () => {
  it("puts those nearest their limit first, then the unbudgeted by spend", () => {
    const row = (name: string, spent: bigint, limit: bigint | null) => ({
      name,
      spentMicroUsd: spent,
      budget: limit === null ? null : { limitMicroUsd: limit },
    });
    const ordered = orderMemberUsage([
      row("Cleo", 5n, null),
      row("Ada", 1n, 10n),
      row("Bo", 30n, 10n),
      row("Dee", 50n, null),
      row("Eve", 0n, null),
    ]);
    expect(ordered.map((r) => r.name)).toEqual(["Bo", "Ada", "Dee", "Cleo", "Eve"]);
  });
});
