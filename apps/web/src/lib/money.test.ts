import { describe, expect, it } from "vitest";
import { formatUsd, parseUsd, usdInputValue } from "./money.ts";

describe("money in micro-USD", () => {
  it("formats exactly, with two decimals at least and none rounded away", () => {
    expect(formatUsd(0n)).toBe("$0.00");
    expect(formatUsd(25_000_000n)).toBe("$25.00");
    expect(formatUsd(1_500_000n)).toBe("$1.50");
    expect(formatUsd(125n)).toBe("$0.000125");
    expect(formatUsd(1_234_567_890_123n)).toBe("$1,234,567.890123");
    expect(formatUsd(-3_000_000n)).toBe("-$3.00");
    expect(formatUsd(75_000)).toBe("$0.075");
  });

  it("parses what people type, and refuses what is not an amount", () => {
    expect(parseUsd("25")).toBe(25_000_000n);
    expect(parseUsd(" $1,000.5 ")).toBe(1_000_500_000n);
    expect(parseUsd("-1.5")).toBe(-1_500_000n);
    expect(parseUsd("0.000001")).toBe(1n);
    expect(parseUsd("3.")).toBe(3_000_000n);
    expect(parseUsd("0.0000001")).toBeNull();
    expect(parseUsd("abc")).toBeNull();
    expect(parseUsd("")).toBeNull();
  });

  it("round-trips through a form field's value", () => {
    for (const value of [0n, 3_000_000n, 75_000n, 1n, -2_500_000n]) {
      expect(parseUsd(usdInputValue(value))).toBe(value);
    }
    expect(usdInputValue(3_000_000n)).toBe("3");
    expect(usdInputValue(75_000n)).toBe("0.075");
  });
});
