// Which model a call is priced as. The gateway checks the model a request names, but the provider
// decides what runs (OpenRouter picks fallbacks; any provider may substitute), and bills for that.
// So a call is priced by the model the provider's answer reports, and its ledger entry keeps the
// requested one beside it when the two differ, for review.
import type { PriceRow } from "@studio/core";

import type { ModelProvider } from "@studio/models";

/** A date or version suffix a provider appends to the model's own name, e.g. `-2025-04-14`, `-20250929`, `-0709`, `-002`. */
function isSnapshotSuffix(suffix: string): boolean {
  const digits = suffix.replaceAll("-", "");
  if (!/^\d+$/.test(digits)) return false;
  if (digits.length === suffix.length)
    return digits.length === 3 || digits.length === 4 || digits.length === 8;
  return suffix.length === 10 && suffix[4] === "-" && suffix[7] === "-"; // YYYY-MM-DD
}

/** Whether the provider's name for what it ran is the requested model or a dated snapshot of it. */
export function isSameModel(requested: string, reported: string): boolean {
  const asked = requested.toLowerCase();
  let ran = reported.toLowerCase();
  if (ran.startsWith("models/")) ran = ran.slice("models/".length); // Google's resource names
  if (ran === asked) return true;
  return ran.startsWith(`${asked}-`) && isSnapshotSuffix(ran.slice(asked.length + 1));
}

export interface PricedModel {
  /** What the ledger records and prices the call as. */
  model: string;
  /** The model the request named, only when the provider reported running another. */
  requestedModel: string | null;
}

export function pricedModel(requested: string, reported: string | null): PricedModel {
  if (!reported || isSameModel(requested, reported)) return { model: requested, requestedModel: null };
  return { model: reported, requestedModel: requested };
}

type PriceLookUp = (
  organizationId: string,
  provider: ModelProvider,
  model: string,
  at: Date,
) => Promise<PriceRow | null>;

const dearer = (a: PriceRow | null, b: PriceRow | null) =>
  !a || (b && b.outputPerMTok + b.inputPerMTok > a.outputPerMTok + a.inputPerMTok) ? b : a;

/**
 * Prices a batch's calls by the model each reports; a reported model the studio has no price for
 * (OpenRouter's dated names, an unknown substitute) is priced as the model the request named, so
 * an answer naming an unknown model is never free. When calls of one organisation named different
 * models and got the same unpriced one, the dearer of their prices is used.
 */
export function reportedModelPricing(
  lookUp: PriceLookUp,
  calls: { organizationId: string; priced: PricedModel }[],
): PriceLookUp {
  const requested = new Map<string, string[]>();
  for (const { organizationId, priced } of calls) {
    if (!priced.requestedModel) continue;
    const key = `${organizationId}\u0000${priced.model}`;
    requested.set(key, [...(requested.get(key) ?? []), priced.requestedModel]);
  }
  return async (organizationId, provider, model, at) => {
    const price = await lookUp(organizationId, provider, model, at);
    const fallbacks = requested.get(`${organizationId}\u0000${model}`);
    if (price || !fallbacks) return price;
    const prices = await Promise.all(fallbacks.map((name) => lookUp(organizationId, provider, name, at)));
    return prices.reduce(dearer, null);
  };
}
