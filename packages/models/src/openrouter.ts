// OpenRouter's names for the catalogue's models, for sessions whose calls go through an OpenRouter
// key (the organisation's, or the platform's when it has no key for the provider itself).
import type { ModelProvider } from "./lists.ts";

const OPENROUTER_NAMES: Readonly<Record<string, string>> = {
  "xai/grok-code-fast-1": "x-ai/grok-code-fast-1",
  "xai/grok-4-1-fast": "x-ai/grok-4.1-fast",
  "xai/grok-4": "x-ai/grok-4",
  "xai/grok-3": "x-ai/grok-3",
  "anthropic/claude-haiku-4-5": "anthropic/claude-haiku-4.5",
  "anthropic/claude-sonnet-4-20250514": "anthropic/claude-sonnet-4",
  "anthropic/claude-sonnet-4-6": "anthropic/claude-sonnet-4.6",
  "anthropic/claude-opus-4-6": "anthropic/claude-opus-4.6",
  "openai/gpt-4.1-mini": "openai/gpt-4.1-mini",
  "openai/o4-mini": "openai/o4-mini",
  "openai/gpt-4.1": "openai/gpt-4.1",
  "openai/gpt-5": "openai/gpt-5",
  "openai/o3": "openai/o3",
  "google/gemini-2.5-flash": "google/gemini-2.5-flash",
  "google/gemini-2.5-pro": "google/gemini-2.5-pro",
  "google/gemini-3-pro-preview": "google/gemini-3-pro-preview",
};

/** The model's OpenRouter name; the name itself for OpenRouter models; null when OpenRouter has none. */
export function openRouterModelFor(provider: ModelProvider, model: string): string | null {
  if (provider === "openrouter") return model;
  return OPENROUTER_NAMES[`${provider}/${model}`] ?? null;
}

/** Whether a model name is OpenRouter's name for one of the catalogue's models. */
export function isOpenRouterNameOfCatalogModel(model: string): boolean {
  return Object.values(OPENROUTER_NAMES).includes(model);
}
