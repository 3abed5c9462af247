import { describe, expect, it } from "vitest";
import { routeModel } from "./resolution.ts";

const facts = (organizationKeys: string[], platformProviders: string[]) => ({
  organizationKeys: new Set(organizationKeys),
  platformProviders: new Set(platformProviders),
});

describe("routeModel: direct key, then OpenRouter key, then platform credits", () => {
  it("prefers the organisation's own key for the provider", () => {
    expect(
      routeModel("anthropic", "claude-sonnet-4-6", facts(["anthropic", "openrouter"], ["anthropic"])),
    ).toEqual({
      ok: true,
      route: { keySource: "direct", upstreamProvider: "anthropic", upstreamModel: "claude-sonnet-4-6" },
    });
  });

  it("falls back to the organisation's OpenRouter key with OpenRouter's model name", () => {
    expect(routeModel("xai", "grok-4-1-fast", facts(["openrouter"], ["xai"]))).toEqual({
      ok: true,
      route: { keySource: "openrouter", upstreamProvider: "openrouter", upstreamModel: "x-ai/grok-4.1-fast" },
    });
  });

  it("then uses platform credits: the platform's provider key, else its OpenRouter key", () => {
    expect(routeModel("google", "gemini-2.5-pro", facts([], ["google", "openrouter"])).ok && "platform").toBe(
      "platform",
    );
    expect(routeModel("openai", "gpt-5", facts(["anthropic"], ["openrouter"]))).toEqual({
      ok: true,
      route: { keySource: "platform", upstreamProvider: "openrouter", upstreamModel: "openai/gpt-5" },
    });
  });

  it("never routes a custom endpoint through OpenRouter", () => {
    expect(routeModel("custom", "llama3.1", facts(["openrouter"], ["openrouter"]))).toEqual({
      ok: false,
      reason: "No OpenAI-compatible endpoint is set up for this organisation.",
    });
    expect(routeModel("custom", "llama3.1", facts(["custom"], [])).ok).toBe(true);
  });

  it("says why when nothing can pay", () => {
    const result = routeModel("anthropic", "claude-opus-4-6", facts(["xai"], ["google"]));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/No key for this provider or OpenRouter/);
  });

  it("does not use OpenRouter for a model it has no name for", () => {
    expect(routeModel("anthropic", "claude-unknown", facts(["openrouter"], [])).ok).toBe(false);
  });
});
