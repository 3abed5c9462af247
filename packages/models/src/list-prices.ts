// The providers' public list prices, in micro-USD per million tokens (1 USD = 1,000,000 micro-USD,
// so $3.00 per million tokens is 3_000_000). Seeded as the platform's price rows at boot; an admin's
// edit adds a newer row instead of changing these. Cached input is the price of prompt tokens served
// from the provider's cache (Anthropic: cache reads). Keyed `<provider>/<model id>`.
import { findCatalogModel, getCatalogProvider } from "./catalog.ts";
import type { ModelProvider } from "./lists.ts";
import { isOpenRouterNameOfCatalogModel } from "./openrouter.ts";

export interface TokenPrices {
  inputPerMTok: number;
  outputPerMTok: number;
  cachedInputPerMTok: number;
}

/** The date the seeded list prices take effect; anything metered is on or after it. */
export const LIST_PRICES_EFFECTIVE_FROM = new Date("2025-01-01T00:00:00.000Z");

const usd = (input: number, output: number, cached: number): TokenPrices => ({
  inputPerMTok: Math.round(input * 1_000_000),
  outputPerMTok: Math.round(output * 1_000_000),
  cachedInputPerMTok: Math.round(cached * 1_000_000),
});

const DIRECT: Record<string, TokenPrices> = {
  "xai/grok-code-fast-1": usd(0.2, 1.5, 0.02),
  "xai/grok-4-1-fast": usd(0.2, 0.5, 0.05),
  "xai/grok-4": usd(3, 15, 0.75),
  "xai/grok-3": usd(3, 15, 0.75),
  "anthropic/claude-haiku-4-5": usd(1, 5, 0.1),
  "anthropic/claude-sonnet-4-20250514": usd(3, 15, 0.3),
  "anthropic/claude-sonnet-4-6": usd(3, 15, 0.3),
  "anthropic/claude-opus-4-6": usd(5, 25, 0.5),
  "openai/gpt-4.1-mini": usd(0.4, 1.6, 0.1),
  "openai/o4-mini": usd(1.1, 4.4, 0.275),
  "openai/gpt-4.1": usd(2, 8, 0.5),
  "openai/gpt-5": usd(1.25, 10, 0.125),
  "openai/o3": usd(2, 8, 0.5),
  "google/gemini-2.5-flash": usd(0.3, 2.5, 0.03),
  "google/gemini-2.5-pro": usd(1.25, 10, 0.125),
  "google/gemini-3-pro-preview": usd(2, 12, 0.2),
};

// OpenRouter charges the underlying provider's list price; these cover every model a session can be
// routed to through OpenRouter (see openrouter.ts), not only the ones offered under OpenRouter.
const OPENROUTER: Record<string, TokenPrices> = {
  "openrouter/x-ai/grok-code-fast-1": usd(0.2, 1.5, 0.02),
  "openrouter/x-ai/grok-4.1-fast": usd(0.2, 0.5, 0.05),
  "openrouter/x-ai/grok-4": usd(3, 15, 0.75),
  "openrouter/x-ai/grok-3": usd(3, 15, 0.75),
  "openrouter/anthropic/claude-haiku-4.5": usd(1, 5, 0.1),
  "openrouter/anthropic/claude-sonnet-4": usd(3, 15, 0.3),
  "openrouter/anthropic/claude-sonnet-4.6": usd(3, 15, 0.3),
  "openrouter/anthropic/claude-opus-4.6": usd(5, 25, 0.5),
  "openrouter/openai/gpt-4.1-mini": usd(0.4, 1.6, 0.1),
  "openrouter/openai/o4-mini": usd(1.1, 4.4, 0.275),
  "openrouter/openai/gpt-4.1": usd(2, 8, 0.5),
  "openrouter/openai/gpt-5": usd(1.25, 10, 0.125),
  "openrouter/openai/o3": usd(2, 8, 0.5),
  "openrouter/google/gemini-2.5-flash": usd(0.3, 2.5, 0.03),
  "openrouter/google/gemini-2.5-pro": usd(1.25, 10, 0.125),
  "openrouter/google/gemini-3-pro-preview": usd(2, 12, 0.2),
};

const LIST_PRICES: Readonly<Record<string, TokenPrices>> = { ...DIRECT, ...OPENROUTER };

export interface ListPrice extends TokenPrices {
  provider: ModelProvider;
  model: string;
}

/** Every seeded list price; custom endpoints have none (an admin may set one). */
export function listPrices(): ListPrice[] {
  return Object.entries(LIST_PRICES).map(([key, prices]) => {
    const slash = key.indexOf("/");
    return { provider: key.slice(0, slash) as ModelProvider, model: key.slice(slash + 1), ...prices };
  });
}

export function listPriceFor(provider: ModelProvider, model: string): TokenPrices | undefined {
  return LIST_PRICES[`${provider}/${model}`];
}

/**
 * Whether the gateway can ever meter a call to this upstream model, so that a price for it means
 * something: any model of a provider that takes free-form names (an OpenAI-compatible endpoint),
 * else a catalogue model, the provider's small model (titles), one with a list price, or
 * OpenRouter's name for a catalogue model.
 */
export function isPriceableModel(provider: ModelProvider, model: string): boolean {
  const catalog = getCatalogProvider(provider);
  if (catalog.freeformModels) return true;
  if (findCatalogModel(provider, model) || catalog.smallModel === model || listPriceFor(provider, model))
    return true;
  return provider === "openrouter" && isOpenRouterNameOfCatalogModel(model);
}
