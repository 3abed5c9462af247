// Prices change rarely and only forward in time (a new row takes effect from its date), so the
// gateway keeps each (organisation, provider, model) price for a short while instead of querying
// for every call. A price taking effect is picked up within PRICE_TTL_MS of its effective date.
import { type PriceRow, priceFor } from "@studio/core";
import type { Db } from "@studio/db";
import type { ModelProvider } from "@studio/models";

const PRICE_TTL_MS = 30_000;
const MAX_ENTRIES = 5_000;

const keyOf = (organizationId: string, provider: ModelProvider, model: string) =>
  `${organizationId}\u0000${provider}\u0000${model}`;

export class PriceCache {
  private readonly entries = new Map<string, { price: PriceRow | null; expiresAt: number }>();
  private readonly looking = new Set<string>();

  constructor(private readonly db: Db) {}

  readonly lookUp = async (organizationId: string, provider: ModelProvider, model: string, at: Date) => {
    const key = keyOf(organizationId, provider, model);
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > at.getTime()) return cached.price;
    const price = await priceFor(this.db, organizationId, provider, model, at);
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { price, expiresAt: at.getTime() + PRICE_TTL_MS });
    return price;
  };

  /**
   * The price now when it is cached (null: the model has none), else undefined, and it is looked up
   * for the next call: for the budget check, which must not wait for the database.
   */
  peek(
    organizationId: string,
    provider: ModelProvider,
    model: string,
    at: Date,
  ): PriceRow | null | undefined {
    const key = keyOf(organizationId, provider, model);
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > at.getTime()) return cached.price;
    if (!this.looking.has(key)) {
      this.looking.add(key);
      this.lookUp(organizationId, provider, model, at)
        .catch(() => {})
        .finally(() => this.looking.delete(key));
    }
    return undefined;
  }
}
