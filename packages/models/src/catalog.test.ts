import { describe, expect, it } from "vitest";
import {
  CATALOG,
  DEFAULT_MODEL,
  DEFAULT_PROVIDER,
  defaultModelFor,
  findCatalogModel,
  getCatalogProvider,
  isModelProvider,
} from "./catalog.ts";

function names(provider: Parameters<typeof getCatalogProvider>[0], tier: string) {
  return getCatalogProvider(provider)
    .models.filter((m) => m.tier === tier)
    .map((m) => m.name);
}

describe("catalog", () => {
  it("defaults to xAI Grok 4.1 Fast", () => {
    expect(DEFAULT_PROVIDER).toBe("xai");
    expect(DEFAULT_MODEL).toBe("grok-4-1-fast");
    expect(findCatalogModel("xai", "grok-4-1-fast")?.name).toBe("Grok 4.1 Fast");
    expect(defaultModelFor("xai")).toBe("grok-4-1-fast");
    expect(defaultModelFor("anthropic")).toBe("claude-haiku-4-5");
    expect(defaultModelFor("custom")).toBeNull();
  });

  it("has the seed's tiers per provider", () => {
    expect(names("xai", "fast")).toEqual(["Grok Code Fast", "Grok 4.1 Fast"]);
    expect(names("xai", "standard")).toEqual(["Grok 4", "Grok 3"]);
    expect(names("xai", "premium")).toEqual([]);
    expect(names("anthropic", "fast")).toEqual(["Claude Haiku 4.5"]);
    expect(names("anthropic", "standard")).toEqual(["Claude Sonnet 4", "Claude Sonnet 4.6"]);
    expect(names("anthropic", "premium")).toEqual(["Claude Opus 4.6"]);
    expect(names("openai", "fast")).toEqual(["GPT-4.1 Mini", "o4 Mini"]);
    expect(names("openai", "standard")).toEqual(["GPT-4.1", "GPT-5"]);
    expect(names("openai", "premium")).toEqual(["o3"]);
    expect(names("google", "fast")).toEqual(["Gemini 2.5 Flash"]);
    expect(names("google", "standard")).toEqual(["Gemini 2.5 Pro"]);
    expect(names("google", "premium")).toEqual(["Gemini 3 Pro"]);
  });

  it("gives every fixed provider a listed small model and sane limits", () => {
    for (const provider of CATALOG) {
      expect(new Set(provider.models.map((m) => m.id)).size).toBe(provider.models.length);
      for (const model of provider.models) {
        expect(model.contextLimit).toBeGreaterThan(model.outputLimit);
        expect(model.id).not.toMatch(/\s/);
      }
      if (provider.freeformModels) continue;
      expect(provider.models.map((m) => m.id)).toContain(provider.smallModel);
    }
  });

  it("maps xAI onto OpenCode's openai provider", () => {
    expect(getCatalogProvider("xai").opencodeProvider).toBe("openai");
    expect(isModelProvider("openrouter")).toBe(true);
    expect(isModelProvider("mistral")).toBe(false);
    expect(() => getCatalogProvider("mistral" as never)).toThrow(/unknown/);
  });
});
