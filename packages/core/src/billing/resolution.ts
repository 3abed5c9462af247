// Which key pays for a session's model calls, decided once at creation (pure): the organisation's
// own key for the provider, else its OpenRouter key (with OpenRouter's name for the model), else the
// platform's key for the provider or, failing that, the platform's OpenRouter key, on credits.
import { type KeySource, type ModelProvider, openRouterModelFor } from "@studio/models";

export { KEY_SOURCES, type KeySource } from "@studio/models";

export interface ModelRoute {
  keySource: KeySource;
  /** Where the calls go: the provider itself, or OpenRouter. */
  upstreamProvider: ModelProvider;
  upstreamModel: string;
}

export interface AccessFacts {
  /** Providers the organisation holds a key (or, for custom, an endpoint) for. */
  organizationKeys: ReadonlySet<string>;
  /** Providers the platform has a key (or endpoint) for, used on platform credits. */
  platformProviders: ReadonlySet<string>;
}

export type RouteResult = { ok: true; route: ModelRoute } | { ok: false; reason: string };

export function routeModel(provider: ModelProvider, model: string, facts: AccessFacts): RouteResult {
  const viaOpenRouter = provider === "custom" ? null : openRouterModelFor(provider, model);
  if (facts.organizationKeys.has(provider))
    return { ok: true, route: { keySource: "direct", upstreamProvider: provider, upstreamModel: model } };
  if (viaOpenRouter && facts.organizationKeys.has("openrouter"))
    return {
      ok: true,
      route: { keySource: "openrouter", upstreamProvider: "openrouter", upstreamModel: viaOpenRouter },
    };
  if (facts.platformProviders.has(provider))
    return { ok: true, route: { keySource: "platform", upstreamProvider: provider, upstreamModel: model } };
  if (viaOpenRouter && facts.platformProviders.has("openrouter"))
    return {
      ok: true,
      route: { keySource: "platform", upstreamProvider: "openrouter", upstreamModel: viaOpenRouter },
    };
  return {
    ok: false,
    reason:
      provider === "custom"
        ? "No OpenAI-compatible endpoint is set up for this organisation."
        : "No key for this provider or OpenRouter, and the platform offers no access to it.",
  };
}

/**
 * Whether calls on this route draw on platform credits. The platform's own OpenAI-compatible
 * endpoint (a model server the operator runs) is free: recorded, never charged or gated.
 */
export function paysWithCredits(route: Pick<ModelRoute, "keySource" | "upstreamProvider">): boolean {
  return route.keySource === "platform" && route.upstreamProvider !== "custom";
}

/** A session on platform credits needs at least this balance to start or take a message ($0.01). */
export const MINIMUM_BALANCE_MICRO_USD = 10_000n;
