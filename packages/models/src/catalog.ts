// The providers and models a studio session can pick, shared by the UI (grouped by tier) and the
// workspace generator (context/output limits, small model). Model ids are the providers' own API
// ids: OpenCode sends them verbatim, and the gateway meters and prices by them.

// The provider list itself (MODEL_PROVIDERS, ModelProvider) lives in lists.ts.
import type { ModelProvider } from "./lists.ts";

export type ModelTier = "fast" | "standard" | "premium";

export interface CatalogModel {
  id: string;
  name: string;
  tier: ModelTier;
  /** Context window in tokens; OpenCode only emits `usage_update` when the config has it. */
  contextLimit: number;
  /** Largest completion OpenCode may ask for (it also honours OPENCODE_EXPERIMENTAL_OUTPUT_TOKEN_MAX). */
  outputLimit: number;
}

export interface CatalogProvider {
  id: ModelProvider;
  name: string;
  /**
   * OpenCode provider id used in opencode.json. xAI has no native entry there: it runs through
   * OpenCode's `openai` provider pointed at xAI's OpenAI-compatible API (the seed's design).
   */
  opencodeProvider: string;
  /** Model used for OpenCode's side calls (session titles). Without it OpenCode picks one by name
   * pattern from the provider's catalogue, e.g. an OpenAI nano model sent to xAI. */
  smallModel: string | null;
  /** Limits for a model id that is not listed here (admin-added or custom endpoint models). */
  defaultLimits: { contextLimit: number; outputLimit: number };
  /** True when the model id is typed by the user (custom OpenAI-compatible endpoints). */
  freeformModels: boolean;
  models: CatalogModel[];
}

const OUTPUT = 32_768;

function model(id: string, name: string, tier: ModelTier, contextLimit: number, outputLimit = OUTPUT) {
  return { id, name, tier, contextLimit, outputLimit } satisfies CatalogModel;
}

export const CATALOG: readonly CatalogProvider[] = [
  {
    id: "xai",
    name: "xAI",
    opencodeProvider: "openai",
    smallModel: "grok-4-1-fast",
    defaultLimits: { contextLimit: 131_072, outputLimit: OUTPUT },
    freeformModels: false,
    models: [
      model("grok-code-fast-1", "Grok Code Fast", "fast", 256_000),
      model("grok-4-1-fast", "Grok 4.1 Fast", "fast", 2_000_000),
      model("grok-4", "Grok 4", "standard", 256_000),
      model("grok-3", "Grok 3", "standard", 131_072),
    ],
  },
  {
    id: "anthropic",
    name: "Anthropic",
    opencodeProvider: "anthropic",
    smallModel: "claude-haiku-4-5",
    defaultLimits: { contextLimit: 200_000, outputLimit: OUTPUT },
    freeformModels: false,
    models: [
      model("claude-haiku-4-5", "Claude Haiku 4.5", "fast", 200_000),
      model("claude-sonnet-4-20250514", "Claude Sonnet 4", "standard", 200_000),
      model("claude-sonnet-4-6", "Claude Sonnet 4.6", "standard", 200_000),
      model("claude-opus-4-6", "Claude Opus 4.6", "premium", 200_000),
    ],
  },
  {
    id: "openai",
    name: "OpenAI",
    opencodeProvider: "openai",
    smallModel: "gpt-4.1-mini",
    defaultLimits: { contextLimit: 128_000, outputLimit: OUTPUT },
    freeformModels: false,
    models: [
      model("gpt-4.1-mini", "GPT-4.1 Mini", "fast", 1_047_576),
      model("o4-mini", "o4 Mini", "fast", 200_000),
      model("gpt-4.1", "GPT-4.1", "standard", 1_047_576),
      model("gpt-5", "GPT-5", "standard", 400_000),
      model("o3", "o3", "premium", 200_000),
    ],
  },
  {
    id: "google",
    name: "Google",
    opencodeProvider: "google",
    smallModel: "gemini-2.5-flash",
    defaultLimits: { contextLimit: 1_048_576, outputLimit: OUTPUT },
    freeformModels: false,
    models: [
      model("gemini-2.5-flash", "Gemini 2.5 Flash", "fast", 1_048_576),
      model("gemini-2.5-pro", "Gemini 2.5 Pro", "standard", 1_048_576),
      model("gemini-3-pro-preview", "Gemini 3 Pro", "premium", 1_048_576),
    ],
  },
  {
    id: "openrouter",
    name: "OpenRouter",
    opencodeProvider: "openrouter",
    smallModel: "google/gemini-2.5-flash",
    defaultLimits: { contextLimit: 128_000, outputLimit: OUTPUT },
    freeformModels: false,
    models: [
      model("x-ai/grok-code-fast-1", "Grok Code Fast (OpenRouter)", "fast", 256_000),
      model("google/gemini-2.5-flash", "Gemini 2.5 Flash (OpenRouter)", "fast", 1_048_576),
      model("anthropic/claude-haiku-4.5", "Claude Haiku 4.5 (OpenRouter)", "fast", 200_000),
      model("anthropic/claude-sonnet-4", "Claude Sonnet 4 (OpenRouter)", "standard", 200_000),
      model("openai/gpt-4.1", "GPT-4.1 (OpenRouter)", "standard", 1_047_576),
      model("google/gemini-2.5-pro", "Gemini 2.5 Pro (OpenRouter)", "standard", 1_048_576),
      model("openai/o3", "o3 (OpenRouter)", "premium", 200_000),
    ],
  },
  {
    id: "custom",
    name: "OpenAI-compatible endpoint",
    // Its own provider id so it never merges with OpenCode's built-in catalogue.
    opencodeProvider: "custom",
    smallModel: null,
    defaultLimits: { contextLimit: 32_768, outputLimit: 8_192 },
    freeformModels: true,
    models: [],
  },
];

export const DEFAULT_PROVIDER: ModelProvider = "xai";
export const DEFAULT_MODEL = "grok-4-1-fast";

export function getCatalogProvider(provider: ModelProvider): CatalogProvider {
  const found = CATALOG.find((p) => p.id === provider);
  if (!found) throw new Error(`unknown model provider: ${provider}`);
  return found;
}

export function findCatalogModel(provider: ModelProvider, modelId: string): CatalogModel | undefined {
  return getCatalogProvider(provider).models.find((m) => m.id === modelId);
}

/** The model a provider picker resets to (the seed: the first model of the provider). */
export function defaultModelFor(provider: ModelProvider): string | null {
  if (provider === DEFAULT_PROVIDER) return DEFAULT_MODEL;
  return getCatalogProvider(provider).models[0]?.id ?? null;
}

export function isModelProvider(value: string): value is ModelProvider {
  return CATALOG.some((p) => p.id === value);
}
