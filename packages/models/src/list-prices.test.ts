import { describe, expect, it } from "vitest";
import { CATALOG, getCatalogProvider } from "./catalog.ts";
import { isPriceableModel, listPriceFor, listPrices } from "./list-prices.ts";
import { openRouterModelFor } from "./openrouter.ts";

const pickable = CATALOG.flatMap((provider) =>
  [...provider.models.map((m) => m.id), ...(provider.smallModel ? [provider.smallModel] : [])].map(
    (model) => ({ provider: provider.id, model }),
  ),
);

describe("list prices", () => {
  it("price every model a session can call, its small model included", () => {
    const missing = pickable.filter(({ provider, model }) => !listPriceFor(provider, model));
    expect(missing).toEqual([]);
  });

  it("price every model a session can be routed to through OpenRouter", () => {
    const unpriced = pickable
      .map(({ provider, model }) => openRouterModelFor(provider, model))
      .filter((name): name is string => name !== null)
      .filter((name) => !listPriceFor("openrouter", name));
    expect(unpriced).toEqual([]);
  });

  it("are whole micro-USD, cached input never dearer than input", () => {
    for (const price of listPrices()) {
      for (const value of [price.inputPerMTok, price.outputPerMTok, price.cachedInputPerMTok])
        expect(Number.isSafeInteger(value) && value >= 0).toBe(true);
      expect(price.cachedInputPerMTok).toBeLessThanOrEqual(price.inputPerMTok);
    }
    expect(listPriceFor("anthropic", "claude-sonnet-4-6")).toEqual({
      inputPerMTok: 3_000_000,
      outputPerMTok: 15_000_000,
      cachedInputPerMTok: 300_000,
    });
  });
});

describe("OpenRouter names", () => {
  it("exist for every model of the four direct providers", () => {
    for (const id of ["xai", "anthropic", "openai", "google"] as const) {
      for (const model of getCatalogProvider(id).models)
        expect(openRouterModelFor(id, model.id), `${id}/${model.id}`).toMatch(/^[a-z-]+\/[\w.-]+$/);
    }
  });

  it("keep OpenRouter's own names and have none for custom endpoints", () => {
    expect(openRouterModelFor("openrouter", "openai/o3")).toBe("openai/o3");
    expect(openRouterModelFor("xai", "grok-4-1-fast")).toBe("x-ai/grok-4.1-fast");
    expect(openRouterModelFor("custom", "llama3")).toBeNull();
  });
});

describe("priceable models", () => {
  it("are the ones the gateway can meter: catalogue, small, listed and OpenRouter names; any for endpoints", () => {
    expect(isPriceableModel("anthropic", "claude-sonnet-4-6")).toBe(true);
    expect(isPriceableModel("xai", "grok-3")).toBe(true);
    expect(isPriceableModel("openrouter", "x-ai/grok-4.1-fast")).toBe(true);
    expect(isPriceableModel("custom", "whatever-the-endpoint-serves")).toBe(true);
    expect(isPriceableModel("xai", "grok-99")).toBe(false);
    expect(isPriceableModel("openrouter", "x-ai/grok-99")).toBe(false);
    expect(isPriceableModel("anthropic", "claude-sonnet-4.6")).toBe(false);
  });
});
