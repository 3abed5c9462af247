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
export type CatalogAgent = Catalog["agents"][number];
export type AgentId = CatalogAgent["id"];
/** Whether a provider's gateway route serves a model API the agent speaks (from @studio/models). */
export type AgentProviderFit = CatalogAgent["providers"][number];

export interface SessionChoice {
  agent: AgentId;
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

export function findAgent(catalog: Catalog, agentId: string): CatalogAgent | undefined {
  return catalog.agents.find((agent) => agent.id === agentId);
}

/** The agent's name for a badge; a session's agent may be one no longer offered, so fall back to its id. */
export function agentName(catalog: Catalog | undefined, agentId: string): string {
  return (catalog && findAgent(catalog, agentId)?.name) ?? agentId;
}

/** How the agent fits a provider; an agent the catalogue does not describe fits nothing. */
export function agentFit(catalog: Catalog, agentId: AgentId, providerId: ProviderId): AgentProviderFit {
  const fit = findAgent(catalog, agentId)?.providers.find((candidate) => candidate.id === providerId);
  return fit ?? { id: providerId, usable: false, reason: "This agent is not offered.", caveat: null };
}

/** A studio feature some agents lack (AgentProfile.supports). */
export type AgentFeature = "questions" | "resume";

/** What the agent cannot do of one studio feature, in words; null when it can. */
export function agentShortcoming(agent: CatalogAgent, feature: AgentFeature): string | null {
  if (feature === "questions")
    return agent.supports.questions ? null : `${agent.name} cannot ask you questions during a turn.`;
  return agent.supports.resume
    ? null
    : `When a session is resumed, ${agent.name}'s memory is rebuilt from the chat, not continued.`;
}

/** What the studio offers that the agent cannot do, in words for the config bar (none for OpenCode). */
export function agentShortcomings(agent: CatalogAgent): string[] {
  return (["questions", "resume"] as const)
    .map((feature) => agentShortcoming(agent, feature))
    .filter((line): line is string => line !== null);
}

/** Why the organisation's route to this model cannot carry the agent's model API (OpenRouter), or null. */
export function agentModelProblem(
  catalog: Catalog,
  agentId: AgentId,
  providerId: ProviderId,
  modelId: string,
): string | null {
  const blocked = findAgent(catalog, agentId)?.unusableModels.find(
    (entry) => entry.provider === providerId && entry.model === modelId,
  );
  return blocked?.reason ?? null;
}

/** The offered providers for an agent, each with why the agent cannot use it (null: it can). */
export function providerOptions(
  catalog: Catalog,
  agentId: AgentId,
): { provider: CatalogProvider; agentProblem: string | null }[] {
  return offeredProviders(catalog).map((provider) => {
    const fit = agentFit(catalog, agentId, provider.id);
    return { provider, agentProblem: fit.usable ? null : fit.reason };
  });
}

/**
 * The pair an agent starts on: the default provider and model when the agent can use them and the
 * organisation can too, else the first provider (in display order) the agent can use that has a
 * model the organisation can run, else the first the agent can use at all (its problem then shows).
 */
export function firstUsablePair(
  catalog: Catalog,
  agentId: AgentId,
): Pick<SessionChoice, "provider" | "model"> {
  const usable = providerOptions(catalog, agentId)
    .filter((option) => option.agentProblem === null)
    .map((option) => option.provider);
  const runs = (provider: CatalogProvider, model: CatalogProvider["models"][number]) =>
    model.access.available && agentModelProblem(catalog, agentId, provider.id, model.id) === null;
  const startOn = (provider: CatalogProvider) => {
    const first = firstModelOf(catalog, provider);
    const firstModel = provider.models.find((model) => model.id === first);
    const runnable = provider.models.find((model) => runs(provider, model))?.id;
    return {
      provider: provider.id,
      model: !firstModel || runs(provider, firstModel) || !runnable ? first : runnable,
    };
  };
  const preferred = usable.find((provider) => provider.id === catalog.defaultProvider);
  if (preferred?.available) return startOn(preferred);
  const available = usable.find((provider) => provider.available);
  if (available) return startOn(available);
  const fallback = preferred ?? usable[0];
  return fallback ? startOn(fallback) : { provider: catalog.defaultProvider, model: catalog.defaultModel };
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
  const agent = catalog.defaultAgent;
  if (!agentFit(catalog, agent, catalog.defaultProvider).usable)
    return { agent, ...firstUsablePair(catalog, agent), environment: "development" };
  const provider = catalog.providers.find((candidate) => candidate.id === catalog.defaultProvider);
  const model = provider ? firstModelOf(catalog, provider) : catalog.defaultModel;
  return { agent, provider: catalog.defaultProvider, model, environment: "development" };
}

/** Changing the agent resets the provider and model to the first pair it can use. */
export function withAgent(catalog: Catalog, choice: SessionChoice, agentId: AgentId): SessionChoice {
  if (agentId === choice.agent || !findAgent(catalog, agentId)) return choice;
  return { ...choice, agent: agentId, ...firstUsablePair(catalog, agentId) };
}

/** Changing the provider resets the model to that provider's first one; one the agent cannot use is refused. */
export function withProvider(catalog: Catalog, choice: SessionChoice, providerId: ProviderId): SessionChoice {
  const provider = catalog.providers.find((candidate) => candidate.id === providerId);
  if (!provider || providerId === choice.provider || !agentFit(catalog, choice.agent, providerId).usable)
    return choice;
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
  if (!findAgent(catalog, choice.agent)) return "Pick an agent.";
  const provider = catalog.providers.find((candidate) => candidate.id === choice.provider);
  if (!provider) return "Pick a provider.";
  const fit = agentFit(catalog, choice.agent, choice.provider);
  if (!fit.usable) return fit.reason;
  const access = choiceAccess(catalog, choice);
  if (access && !access.available) return access.reason;
  const routeProblem = agentModelProblem(catalog, choice.agent, choice.provider, choice.model);
  if (routeProblem) return routeProblem;
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
