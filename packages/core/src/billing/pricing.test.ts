import { describe, expect, it } from "vitest";
import { callCostMicroUsd, formatMicroUsd, formatUsd, parseUsd } from "./pricing.ts";

const sonnet = { inputPerMTok: 3_000_000n, outputPerMTok: 15_000_000n, cachedInputPerMTok: 300_000n };

describe("callCostMicroUsd", () => {
  it("prices uncached input, cached input and output separately", () => {
    // 9,000 uncached × $3 + 1,000 cached × $0.30 + 2,000 out × $15, per million = 27,000 + 300 + 30,000
    expect(
      callCostMicroUsd({ inputTokens: 10_000, cachedTokens: 1_000, outputTokens: 2_000 }, sonnet, 0),
    ).toBe(57_300n);
  });

  it("rounds a fraction of a micro-USD up, once per call", () => {
    // One output token at $15/M is 15 micro-USD exactly; one input token at $0.20/M is 0.2 → 1.
    expect(callCostMicroUsd({ inputTokens: 0, cachedTokens: 0, outputTokens: 1 }, sonnet, 0)).toBe(15n);
    const cheap = { inputPerMTok: 200_000n, outputPerMTok: 500_000n, cachedInputPerMTok: 50_000n };
    expect(callCostMicroUsd({ inputTokens: 1, cachedTokens: 0, outputTokens: 0 }, cheap, 0)).toBe(1n);
    expect(callCostMicroUsd({ inputTokens: 5, cachedTokens: 0, outputTokens: 0 }, cheap, 0)).toBe(1n);
    expect(callCostMicroUsd({ inputTokens: 6, cachedTokens: 0, outputTokens: 0 }, cheap, 0)).toBe(2n);
    expect(callCostMicroUsd({ inputTokens: 0, cachedTokens: 0, outputTokens: 0 }, cheap, 0)).toBe(0n);
  });

  it("applies the markup in basis points before rounding", () => {
    const usage = { inputTokens: 1_000_000, cachedTokens: 0, outputTokens: 0 };
    expect(callCostMicroUsd(usage, sonnet, 1_000)).toBe(3_300_000n);
    // 1 output token × 15 × 1.0333 = 15.4995 → 16
    expect(callCostMicroUsd({ inputTokens: 0, cachedTokens: 0, outputTokens: 1 }, sonnet, 333)).toBe(16n);
  });

  it("stays exact far beyond floating point", () => {
    const huge = {
      inputTokens: Number.MAX_SAFE_INTEGER,
      cachedTokens: 0,
      outputTokens: Number.MAX_SAFE_INTEGER,
    };
    expect(callCostMicroUsd(huge, sonnet, 0)).toBe(
      (BigInt(Number.MAX_SAFE_INTEGER) * 18_000_000n) / 1_000_000n,
    );
  });

  it("never charges cached tokens twice when a provider reports more cached than input", () => {
    expect(callCostMicroUsd({ inputTokens: 100, cachedTokens: 500, outputTokens: 0 }, sonnet, 0)).toBe(30n);
  });

  it("refuses negative or fractional counts", () => {
    expect(() => callCostMicroUsd({ inputTokens: -1, cachedTokens: 0, outputTokens: 0 }, sonnet, 0)).toThrow(
      RangeError,
    );
    expect(() => callCostMicroUsd({ inputTokens: 1.5, cachedTokens: 0, outputTokens: 0 }, sonnet, 0)).toThrow(
      RangeError,
    );
    expect(() => callCostMicroUsd({ inputTokens: 1, cachedTokens: 0, outputTokens: 0 }, sonnet, -5)).toThrow(
      RangeError,
    );
  });
});

describe("USD text", () => {
  it("formats with six decimals, negatives included", () => {
    expect(formatMicroUsd(0n)).toBe("0.000000");
    expect(formatMicroUsd(57_300n)).toBe("0.057300");
    expect(formatMicroUsd(-12_500_001n)).toBe("-12.500001");
    expect(formatMicroUsd(123_456_789_012_345_678n)).toBe("123456789012.345678");
  });

  it("writes dollar amounts for sentences with the sign first", () => {
    expect(formatUsd(-10_680n)).toBe("-$0.010680");
    expect(formatUsd(25_000_000n)).toBe("$25.000000");
  });

  it("parses what people type, refusing more than six decimals", () => {
    expect(parseUsd("12.5")).toBe(12_500_000n);
    expect(parseUsd(" -0.000001 ")).toBe(-1n);
    expect(parseUsd("7")).toBe(7_000_000n);
    expect(parseUsd("1.0000001")).toBeNull();
    expect(parseUsd("1e3")).toBeNull();
    expect(parseUsd("")).toBeNull();
  });
});
