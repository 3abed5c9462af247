// Whether the organisation can use a model now, and through which key: decided when a session is
// created, checked again (credits) on every message, and shown per model in the config bar.
import type { DbTx } from "@studio/db";
import { CATALOG, findCatalogModel, getCatalogProvider, type ModelProvider } from "@studio/models";
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

/** The route for a new session; refuses an unknown model, a model nobody can pay for, or no credits. */
export async function routeForNewSession(
  db: DbTx,
  organizationId: string,
  provider: ModelProvider,
  model: string,
  platformProviders: ReadonlySet<string>,
): Promise<ModelRoute> {
  if (!getCatalogProvider(provider).freeformModels && !findCatalogModel(provider, model))
    throw new AppError(
      "BAD_REQUEST",
      `${model} is not a ${getCatalogProvider(provider).name} model the studio offers.`,
    );
  const result = routeModel(provider, model, {
    organizationKeys: await providersWithKeys(db, organizationId),
    platformProviders,
  });
  if (!result.ok) throw new AppError("BAD_REQUEST", result.reason);
  if (paysWithCredits(result.route)) await assertCreditsAvailable(db, organizationId);
  return result.route;
}

export type Availability =
  | { available: true; keySource: ModelRoute["keySource"] }
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
    return { available: true, keySource: result.route.keySource };
  };
  const byModel = new Map<string, Availability>();
  for (const provider of CATALOG) {
    for (const model of provider.models)
      byModel.set(`${provider.id}/${model.id}`, judge(provider.id, model.id));
  }
  return { byModel, custom: judge("custom", "any") };
}
