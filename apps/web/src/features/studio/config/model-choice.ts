import type { RouterOutputs } from "../../../lib/trpc.ts";

export type Catalog = RouterOutputs["sessions"]["catalog"];
export type CatalogProvider = Catalog["providers"][number];
export type ProviderId = CatalogProvider["id"];
export type Environment = "development" | "production";
export type Tier = CatalogProvider["models"][number]["tier"];
/** Whether the organisation can use a model now: through which key, or why not and where to fix it. */
export type ModelAccess = CatalogProvider["models"][number]["access"];
export type KeySource = Extract<ModelAccess, { available: true }>["keySource"];
export type AccessFix = Extract<ModelAccess, { available: false }>["fix"];

export interface SessionChoice {
  provider: ProviderId;
  model: string;
  environment: Environment;
}

export const tierLabels: Record<Tier, string> = { fast: "Fast", standard: "Standard", premium: "Premium" };
const tierOrder: Tier[] = ["fast", "standard", "premium"];

/**
 * The providers to offer: the four model providers always (unavailable ones say why), and the
 * organisation's OpenAI-compatible endpoint only when one is configured.
 */
export function offeredProviders(catalog: Catalog): CatalogProvider[] {
  return catalog.providers.filter((provider) => !provider.freeformModels || provider.available);
}

/**
 * The model a provider starts on: the catalogue's default for the default provider, else its first;
 * for an endpoint, the first model it lists (none: the person types one).
 */
export function firstModelOf(catalog: Catalog, provider: CatalogProvider): string {
  if (provider.freeformModels) return listedModels(provider)[0] ?? "";
  if (provider.id === catalog.defaultProvider) return catalog.defaultModel;
  return provider.models[0]?.id ?? "";
}

/**
 * What the model field of an endpoint offers: the models it lists, a server that lists none, or
 * why they could not be listed. Typing any model id stays possible in every case.
 */
export type EndpointModelsState =
  | { kind: "listed"; models: string[] }
  | { kind: "empty" }
  | { kind: "failed"; reason: string };

export function endpointModelsState(provider: CatalogProvider): EndpointModelsState {
  const listing = provider.endpointModels;
  if (!listing) return { kind: "empty" };
  if (!listing.ok) return { kind: "failed", reason: listing.reason };
  return listing.models.length > 0 ? { kind: "listed", models: listing.models } : { kind: "empty" };
}

function listedModels(provider: CatalogProvider): string[] {
  const state = endpointModelsState(provider);
  return state.kind === "listed" ? state.models : [];
}

export function initialChoice(catalog: Catalog): SessionChoice {
  const provider = catalog.providers.find((candidate) => candidate.id === catalog.defaultProvider);
  const model = provider ? firstModelOf(catalog, provider) : catalog.defaultModel;
  return { provider: catalog.defaultProvider, model, environment: "development" };
}

/** Changing the provider resets the model to that provider's first one. */
export function withProvider(catalog: Catalog, choice: SessionChoice, providerId: ProviderId): SessionChoice {
  const provider = catalog.providers.find((candidate) => candidate.id === providerId);
  if (!provider || providerId === choice.provider) return choice;
  return { ...choice, provider: providerId, model: firstModelOf(catalog, provider) };
}

export function modelsByTier(provider: CatalogProvider) {
  return tierOrder
    .map((tier) => ({
      tier,
      label: tierLabels[tier],
      models: provider.models.filter((m) => m.tier === tier),
    }))
    .filter((group) => group.models.length > 0);
}

export function modelName(catalog: Catalog | undefined, providerId: string, modelId: string): string {
  const provider = catalog?.providers.find((candidate) => candidate.id === providerId);
  return provider?.models.find((model) => model.id === modelId)?.name ?? modelId;
}

export function providerName(catalog: Catalog | undefined, providerId: string): string {
  return catalog?.providers.find((candidate) => candidate.id === providerId)?.name ?? providerId;
}

/** Access for the chosen model: the endpoint's own for a freeform provider; null when nothing matches. */
export function choiceAccess(catalog: Catalog, choice: SessionChoice): ModelAccess | null {
  const provider = catalog.providers.find((candidate) => candidate.id === choice.provider);
  if (!provider) return null;
  if (provider.freeformModels) return provider.access;
  return provider.models.find((model) => model.id === choice.model)?.access ?? null;
}

/** Why the choice cannot start a session yet, or null when it can. */
export function choiceProblem(catalog: Catalog, choice: SessionChoice): string | null {
  const provider = catalog.providers.find((candidate) => candidate.id === choice.provider);
  if (!provider) return "Pick a provider.";
  const access = choiceAccess(catalog, choice);
  if (access && !access.available) return access.reason;
  if (!provider.available) return provider.unavailableReason ?? `${provider.name} can't be used right now.`;
  if (!choice.model.trim()) return "Enter the model to use.";
  if (!access) return "Pick a model.";
  return null;
}

/**
 * Where the person can make an unavailable model usable. Only platform admins add credits; anyone
 * else sees the balance there and who to ask.
 */
export function fixLink(fix: AccessFix, platformAdmin: boolean): { to: string; label: string } {
  if (fix === "keys") return { to: "/settings/keys", label: "Set up provider keys" };
  return { to: "/settings/billing", label: platformAdmin ? "Add platform credits" : "See platform credits" };
}

/**
 * An option's text: the model's name, and whether it can run now (a <select> shows text only). When
 * no model of the provider can run, its own option says so already and the names stay readable.
 */
export function modelOptionLabel(
  provider: CatalogProvider,
  model: CatalogProvider["models"][number],
): string {
  return model.access.available || !provider.available ? model.name : `${model.name} (unavailable)`;
}
