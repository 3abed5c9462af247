import { describe, expect, it } from "vitest";
import {
  type Catalog,
  choiceProblem,
  initialChoice,
  modelsByTier,
  offeredProviders,
  withProvider,
} from "./model-choice.ts";

const model = (id: string, tier: "fast" | "standard" | "premium") => ({
  id,
  name: id.toUpperCase(),
  tier,
  contextLimit: 1000,
});

const catalog: Catalog = {
  defaultProvider: "xai",
  defaultModel: "grok-4-1-fast",
  providers: [
    {
      id: "xai",
      name: "xAI",
      freeformModels: false,
      available: false,
      unavailableReason: "No xAI key is configured.",
      models: [
        model("grok-code-fast-1", "fast"),
        model("grok-4-1-fast", "fast"),
        model("grok-4", "standard"),
      ],
    },
    {
      id: "anthropic",
      name: "Anthropic",
      freeformModels: false,
      available: true,
      unavailableReason: null,
      models: [model("claude-haiku-4-5", "fast"), model("claude-opus-4-6", "premium")],
    },
    {
      id: "custom",
      name: "Endpoint",
      freeformModels: true,
      available: false,
      unavailableReason: "None.",
      models: [],
    },
  ],
};

describe("the model picker's rules", () => {
  it("starts on the catalogue's default provider and model", () => {
    expect(initialChoice(catalog)).toEqual({
      provider: "xai",
      model: "grok-4-1-fast",
      environment: "development",
    });
  });

  it("resets the model to the new provider's first model, and keeps it when the provider stays", () => {
    const start = initialChoice(catalog);
    const anthropic = withProvider(catalog, { ...start, environment: "production" }, "anthropic");
    expect(anthropic).toEqual({
      provider: "anthropic",
      model: "claude-haiku-4-5",
      environment: "production",
    });
    expect(withProvider(catalog, { ...anthropic, model: "claude-opus-4-6" }, "anthropic").model).toBe(
      "claude-opus-4-6",
    );
    // Back to the default provider: its default model, not merely its first.
    expect(withProvider(catalog, anthropic, "xai").model).toBe("grok-4-1-fast");
    expect(withProvider(catalog, anthropic, "custom").model).toBe("");
  });

  it("groups models by tier in tier order and offers the custom endpoint only when it is set", () => {
    expect(modelsByTier(catalog.providers[0]!).map((group) => [group.label, group.models.length])).toEqual([
      ["Fast", 2],
      ["Standard", 1],
    ]);
    expect(offeredProviders(catalog).map((provider) => provider.id)).toEqual(["xai", "anthropic"]);
  });

  it("says why a choice cannot start", () => {
    expect(choiceProblem(catalog, initialChoice(catalog))).toBe("No xAI key is configured.");
    expect(choiceProblem(catalog, withProvider(catalog, initialChoice(catalog), "anthropic"))).toBeNull();
  });
});
