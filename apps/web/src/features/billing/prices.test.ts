import { describe, expect, it } from "vitest";
import { groupPrices, localDateTimeValue, type Price, pricesByProvider } from "./prices.ts";

let next = 0;
const row = (model: string, from: string, organizationId: string | null, input = 1n): Price => ({
  id: `p${next++}`,
  provider: model.startsWith("claude") ? "anthropic" : "xai",
  model,
  inputPerMTok: input,
  outputPerMTok: input * 5n,
  cachedInputPerMTok: 0n,
  effectiveFrom: new Date(from),
  organizationId,
  createdAt: new Date(from),
  createdBy: organizationId ? { name: "Ada" } : null,
});

describe("the price table's rows", () => {
  const now = new Date("2025-06-01T00:00:00Z");

  it("charges the organisation's own price from its effective date, the list price before", () => {
    const list = row("grok-4", "2025-01-01", null, 3n);
    const own = row("grok-4", "2025-05-01", "org", 2n);
    const later = row("grok-4", "2025-07-01", "org", 1n);
    const [grok] = groupPrices([list, later, own], now);
    expect(grok?.current).toBe(own);
    expect(grok?.scheduled).toEqual([later]);
    expect(grok?.history).toEqual([later, own, list]);

    const [before] = groupPrices([list, own], new Date("2025-04-01"));
    expect(before?.current).toBe(list);
  });

  it("has no current price when every row is in the future", () => {
    const [only] = groupPrices([row("grok-3", "2026-01-01", "org")], now);
    expect(only?.current).toBeNull();
  });

  it("groups models under providers in the studio's order, models by id", () => {
    const groups = pricesByProvider(
      groupPrices(
        [
          row("claude-haiku", "2025-01-01", null),
          row("grok-4", "2025-01-01", null),
          row("grok-3", "2025-01-01", null),
        ],
        now,
      ),
    );
    expect(groups.map((group) => [group.provider, group.models.map((entry) => entry.model)])).toEqual([
      ["xai", ["grok-3", "grok-4"]],
      ["anthropic", ["claude-haiku"]],
    ]);
  });

  it("writes a datetime-local value in local time", () => {
    expect(localDateTimeValue(new Date(2025, 2, 4, 9, 5))).toBe("2025-03-04T09:05");
  });
});
