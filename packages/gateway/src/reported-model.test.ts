import type { PriceRow } from "@studio/core";
import { describe, expect, it } from "vitest";
import { isSameModel, pricedModel, reportedModelPricing } from "./reported-model.ts";

describe("the model a call is priced as", () => {
  it("is the requested one when the provider reports it, or a dated snapshot of it", () => {
    for (const [requested, reported] of [
      ["gpt-4.1", "gpt-4.1"],
      ["gpt-4.1", "gpt-4.1-2025-04-14"],
      ["claude-sonnet-4-5", "claude-sonnet-4-5-20250929"],
      ["grok-4", "grok-4-0709"],
      ["gemini-1.5-flash", "models/gemini-1.5-flash-002"],
      ["Llama3", "llama3"],
    ] as const)
      expect(isSameModel(requested, reported), `${requested} ${reported}`).toBe(true);
    for (const [requested, reported] of [
      ["gpt-4.1", "gpt-4.1-mini"],
      ["gpt-4.1", "gpt-4.1-mini-2025-04-14"],
      ["anthropic/claude-sonnet-4.6", "anthropic/claude-opus-4.6"],
      ["grok-4", "grok-4-1-fast"],
      ["o3", "o3-pro"],
      ["gpt-5", "gpt-5-2025-4-14"],
    ] as const)
      expect(isSameModel(requested, reported), `${requested} ${reported}`).toBe(false);
  });

  it("is the reported one, with the requested one kept beside it, when they differ", () => {
    expect(pricedModel("a", null)).toEqual({ model: "a", requestedModel: null });
    expect(pricedModel("a", "a-20250101")).toEqual({ model: "a", requestedModel: null });
    expect(pricedModel("a", "b")).toEqual({ model: "b", requestedModel: "a" });
  });

  it("falls back to the requested model's price (the dearer one when several) if the reported has none", async () => {
    const price = (id: string, perMTok: bigint): PriceRow => ({
      id,
      inputPerMTok: perMTok,
      outputPerMTok: perMTok,
      cachedInputPerMTok: 0n,
    });
    const prices: Record<string, PriceRow> = {
      cheap: price("cheap", 1n),
      dear: price("dear", 9n),
      b: price("b", 5n),
    };
    const lookUp = async (_org: string, _provider: string, model: string) => prices[model] ?? null;
    const priced = reportedModelPricing(lookUp, [
      { organizationId: "o", priced: { model: "unknown", requestedModel: "cheap" } },
      { organizationId: "o", priced: { model: "unknown", requestedModel: "dear" } },
      { organizationId: "o", priced: { model: "b", requestedModel: "cheap" } },
    ]);
    const at = new Date();
    expect((await priced("o", "openrouter", "unknown", at))?.id).toBe("dear");
    expect((await priced("o", "openrouter", "b", at))?.id).toBe("b");
    expect(await priced("other", "openrouter", "unknown", at)).toBeNull();
  });
});
