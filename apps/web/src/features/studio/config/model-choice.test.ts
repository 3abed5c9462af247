import { describe, expect, it } from "vitest";
import {
  type Catalog,
  type CatalogProvider,
  choiceAccess,
  choiceProblem,
  endpointModelsState,
  initialChoice,
  type ModelAccess,
  modelOptionLabel,
  modelsByTier,
  offeredProviders,
  withProvider,
} from "./model-choice.ts";

const noXaiKey: ModelAccess = { available: false, reason: "No xAI key is configured.", fix: "keys" };
const ownKey: ModelAccess = { available: true, keySource: "direct" };
const noCredits: ModelAccess = { available: false, reason: "Platform credits are used up.", fix: "credits" };

const model = (id: string, tier: "fast" | "standard" | "premium", access: ModelAccess = ownKey) => ({
  id,
  name: id.toUpperCase(),
  tier,
  contextLimit: 1000,
  access,
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
      access: null,
      endpointModels: null,
      unavailableReason: "No xAI key is configured.",
      models: [
        model("grok-code-fast-1", "fast", noXaiKey),
        model("grok-4-1-fast", "fast", noXaiKey),
        model("grok-4", "standard", noXaiKey),
      ],
    },
    {
      id: "anthropic",
      name: "Anthropic",
      freeformModels: false,
      available: true,
      access: null,
      endpointModels: null,
      unavailableReason: null,
      models: [
        model("claude-haiku-4-5", "fast", { available: true, keySource: "openrouter" }),
        model("claude-opus-4-6", "premium", noCredits),
      ],
    },
    {
      id: "custom",
      name: "Endpoint",
      freeformModels: true,
      available: false,
      access: { available: false, reason: "None.", fix: "keys" },
      endpointModels: null,
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

  it("judges each model on its own: an available provider can still have a model that cannot run", () => {
    const anthropic = withProvider(catalog, initialChoice(catalog), "anthropic");
    expect(choiceAccess(catalog, anthropic)).toEqual({ available: true, keySource: "openrouter" });
    const opus = { ...anthropic, model: "claude-opus-4-6" };
    expect(choiceAccess(catalog, opus)).toEqual(noCredits);
    expect(choiceProblem(catalog, opus)).toBe("Platform credits are used up.");
    expect(choiceProblem(catalog, { ...anthropic, model: "claude-nope" })).toBe("Pick a model.");
  });

  it("takes a freeform endpoint's access from the provider, and wants a model id", () => {
    const endpoint = withProvider(catalog, initialChoice(catalog), "custom");
    expect(choiceAccess(catalog, endpoint)).toEqual(catalog.providers[2]!.access);
    expect(choiceProblem(catalog, endpoint)).toBe("None.");
    const ready: Catalog = {
      ...catalog,
      providers: catalog.providers.map((provider) =>
        provider.id === "custom"
          ? {
              ...provider,
              available: true,
              unavailableReason: null,
              access: { available: true, keySource: "direct" },
            }
          : provider,
      ),
    };
    expect(choiceProblem(ready, endpoint)).toBe("Enter the model to use.");
    expect(choiceProblem(ready, { ...endpoint, model: "llama3.1" })).toBeNull();
  });

  it("offers what the endpoint lists, starts on its first model, and says why when it lists nothing", () => {
    const withListing = (endpointModels: CatalogProvider["endpointModels"]): Catalog => ({
      ...catalog,
      providers: catalog.providers.map((provider) =>
        provider.id === "custom"
          ? { ...provider, available: true, access: { available: true, keySource: "direct" }, endpointModels }
          : provider,
      ),
    });
    const custom = (of: Catalog) => of.providers.find((provider) => provider.id === "custom")!;
    const listed = withListing({ ok: true, models: ["llama3.1:8b", "qwen2.5-coder"] });
    expect(endpointModelsState(custom(listed))).toEqual({
      kind: "listed",
      models: ["llama3.1:8b", "qwen2.5-coder"],
    });
    expect(withProvider(listed, initialChoice(listed), "custom").model).toBe("llama3.1:8b");
    expect(initialChoice({ ...listed, defaultProvider: "custom" }).model).toBe("llama3.1:8b");

    const empty = withListing({ ok: true, models: [] });
    expect(endpointModelsState(custom(empty))).toEqual({ kind: "empty" });
    expect(withProvider(empty, initialChoice(empty), "custom").model).toBe("");

    const failed = withListing({ ok: false, reason: "The endpoint could not be reached." });
    expect(endpointModelsState(custom(failed))).toEqual({
      kind: "failed",
      reason: "The endpoint could not be reached.",
    });
    // Typing still works: any model id starts a session.
    const typed = { ...withProvider(failed, initialChoice(failed), "custom"), model: "my-model" };
    expect(choiceProblem(failed, typed)).toBeNull();
  });

  it("marks models that cannot run in the picker's option text, unless the whole provider cannot", () => {
    const [xai, anthropic] = catalog.providers;
    expect(modelOptionLabel(anthropic!, model("claude-opus-4-6", "premium", noCredits))).toBe(
      "CLAUDE-OPUS-4-6 (unavailable)",
    );
    expect(modelOptionLabel(anthropic!, model("claude-haiku-4-5", "fast"))).toBe("CLAUDE-HAIKU-4-5");
    expect(modelOptionLabel(xai!, model("grok-4", "standard", noXaiKey))).toBe("GROK-4");
  });
});
