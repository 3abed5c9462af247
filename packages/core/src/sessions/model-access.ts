// Whether the organisation can use a model now, and through which key: decided when a session is
// created, checked again (credits) on every message, and shown per model in the config bar.
import type { DbTx } from "@studio/db";
import {
  type AgentName,
  agentProviderFit,
  agentRouteProblem,
  CATALOG,
  findCatalogModel,
  getAgentProfile,
  getCatalogProvider,
  type ModelProvider,
} from "@studio/models";
import { creditBalance } from "../billing/ledger.ts";
import { formatUsd } from "../billing/pricing.ts";
import {
  MINIMUM_BALANCE_MICRO_USD,
  type ModelRoute,
  paysWithCredits,
  routeModel,
} from "../billing/resolution.ts";
import { providersWithKeys } from "../keys/provider-keys.ts";
import { AppError } from "../shared/errors.ts";

export const outOfCredits = (balance: bigint) =>
  new AppError(
    "PAYMENT_REQUIRED",
    `Out of platform credits (balance ${formatUsd(balance)}). Ask a platform admin for credits, or add your own provider key.`,
  );

export async function assertCreditsAvailable(db: DbTx, organizationId: string): Promise<void> {
  const balance = await creditBalance(db, organizationId);
  if (balance < MINIMUM_BALANCE_MICRO_USD) throw outOfCredits(balance);
}

/**
 * The route for a new session; refuses an unknown model, a provider or route that cannot serve the
 * agent's model API, a model nobody can pay for, or no credits.
 */
export async function routeForNewSession(
  db: DbTx,
  organizationId: string,
  choice: { agent: AgentName; provider: ModelProvider; model: string },
  platformProviders: ReadonlySet<string>,
): Promise<ModelRoute> {
  const { agent, provider, model } = choice;
  if (!getCatalogProvider(provider).freeformModels && !findCatalogModel(provider, model))
    throw new AppError(
      "BAD_REQUEST",
      `${model} is not a ${getCatalogProvider(provider).name} model the studio offers.`,
    );
  const fit = agentProviderFit(agent, provider);
  if (!fit.usable) throw new AppError("BAD_REQUEST", fit.reason);
  if (!fit.models.includes(model) && !getCatalogProvider(provider).freeformModels)
    throw new AppError("BAD_REQUEST", `${model} cannot serve ${getAgentProfile(agent).name}.`);
  const result = routeModel(provider, model, {
    organizationKeys: await providersWithKeys(db, organizationId),
    platformProviders,
  });
  if (!result.ok) throw new AppError("BAD_REQUEST", result.reason);
  const routeProblem = agentRouteProblem(agent, provider, result.route.upstreamProvider);
  if (routeProblem) throw new AppError("BAD_REQUEST", routeProblem);
  if (paysWithCredits(result.route)) await assertCreditsAvailable(db, organizationId);
  return result.route;
}

export type Availability =
  | {
      available: true;
      keySource: ModelRoute["keySource"];
      /** Where the calls would go (the provider, or OpenRouter): it decides which agents can use it. */
      upstreamProvider: ModelProvider;
    }
  | { available: false; reason: string; fix: "keys" | "credits" };

/** Availability of every catalogue model for the organisation, keyed `<provider>/<model>`. */
export async function catalogAvailability(
  db: DbTx,
  organizationId: string,
  platformProviders: ReadonlySet<string>,
): Promise<{ byModel: Map<string, Availability>; custom: Availability }> {
  const organizationKeys = await providersWithKeys(db, organizationId);
  const balance = await creditBalance(db, organizationId);
  const judge = (provider: ModelProvider, model: string): Availability => {
    const result = routeModel(provider, model, { organizationKeys, platformProviders });
    if (!result.ok) return { available: false, reason: result.reason, fix: "keys" };
    if (paysWithCredits(result.route) && balance < MINIMUM_BALANCE_MICRO_USD)
      return {
        available: false,
        reason: `No key of your own, and platform credits are used up (${formatUsd(balance)} left).`,
        fix: "credits",
      };
    return {
      available: true,
      keySource: result.route.keySource,
      upstreamProvider: result.route.upstreamProvider,
    };
  };
  const byModel = new Map<string, Availability>();
  for (const provider of CATALOG) {
    for (const model of provider.models)
      byModel.set(`${provider.id}/${model.id}`, judge(provider.id, model.id));
  }
  return { byModel, custom: judge("custom", "any") };
}
