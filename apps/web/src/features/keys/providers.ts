import type { RouterOutputs } from "../../lib/trpc.ts";

export type ProviderKey = RouterOutputs["keys"]["list"][number];
export type KeyProviderId = ProviderKey["provider"];

export interface KeyProviderInfo {
  id: KeyProviderId;
  name: string;
  /** One line on what the key unlocks. */
  description: string;
  /** A shape hint for the key field (never a real key). */
  placeholder: string;
}

// The order people read the page in: the direct providers, then OpenRouter (the fallback for all of
// them), then a self-hosted endpoint.
export const KEY_PROVIDERS: readonly KeyProviderInfo[] = [
  { id: "xai", name: "xAI", description: "Grok models.", placeholder: "xai-…" },
  { id: "anthropic", name: "Anthropic", description: "Claude models.", placeholder: "sk-ant-…" },
  { id: "openai", name: "OpenAI", description: "GPT and o-series models.", placeholder: "sk-…" },
  { id: "google", name: "Google", description: "Gemini models.", placeholder: "AIza…" },
  {
    id: "openrouter",
    name: "OpenRouter",
    description: "Pays for any listed model when there is no direct key for its provider.",
    placeholder: "sk-or-…",
  },
  {
    id: "custom",
    name: "OpenAI-compatible endpoint",
    description: "Your own server, e.g. Ollama, vLLM or LM Studio.",
    placeholder: "Optional",
  },
];

export function keyProviderName(id: KeyProviderId): string {
  return KEY_PROVIDERS.find((provider) => provider.id === id)?.name ?? id;
}

/** What the page may show of a stored key: its last four characters behind dots. */
export function maskedKey(key: Pick<ProviderKey, "lastFour">): string {
  return key.lastFour ? `••••${key.lastFour}` : "No key";
}
