// Prices change rarely and only forward in time (a new row takes effect from its date), so the
// gateway keeps each (organisation, provider, model) price for a short while instead of querying
// for every call. A price taking effect is picked up within PRICE_TTL_MS of its effective date.
import { type PriceRow, priceFor } from "@studio/core";
import type { Db } from "@studio/db";
import type { ModelProvider } from "@studio/models";

const PRICE_TTL_MS = 30_000;
const MAX_ENTRIES = 5_000;

export class PriceCache {
  private readonly entries = new Map<string, { price: PriceRow | null; expiresAt: number }>();

  constructor(private readonly db: Db) {}

  readonly lookUp = async (organizationId: string, provider: ModelProvider, model: string, at: Date) => {
    const key = `${organizationId}\u0000${provider}\u0000${model}`;
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > at.getTime()) return cached.price;
    const price = await priceFor(this.db, organizationId, provider, model, at);
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { price, expiresAt: at.getTime() + PRICE_TTL_MS });
    return price;
  };
}
