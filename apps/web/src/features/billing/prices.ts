import { MODEL_PROVIDERS } from "@studio/models/lists";
import type { RouterOutputs } from "../../lib/trpc.ts";

export type Price = RouterOutputs["billing"]["prices"][number];
export type PriceProvider = Price["provider"];

export interface ModelPrices {
  provider: PriceProvider;
  model: string;
  /** The row charged now: the organisation's newest one in force, else the platform's. */
  current: Price | null;
  /** Rows that take effect later (only an organisation's own can). */
  scheduled: Price[];
  /** Every row for the model, newest effective date first. */
  history: Price[];
}

export const isOrganizationPrice = (price: Price) => price.organizationId !== null;

/**
 * Groups the price rows by model and picks the one in force, the way the server does when it
 * charges (an organisation's own price wins from its effective date; the list price otherwise).
 */
export function groupPrices(rows: readonly Price[], now: Date): ModelPrices[] {
  const byModel = new Map<string, Price[]>();
  for (const row of rows) {
    const key = `${row.provider}/${row.model}`;
    const list = byModel.get(key);
    if (list) list.push(row);
    else byModel.set(key, [row]);
  }
  const at = now.getTime();
  return [...byModel.values()].map((list) => {
    const history = [...list].sort((a, b) => b.effectiveFrom.getTime() - a.effectiveFrom.getTime());
    const inForce = history.filter((row) => row.effectiveFrom.getTime() <= at);
    const first = history[0]!;
    return {
      provider: first.provider,
      model: first.model,
      current: inForce.find(isOrganizationPrice) ?? inForce.find((row) => !isOrganizationPrice(row)) ?? null,
      scheduled: history.filter((row) => row.effectiveFrom.getTime() > at),
      history,
    };
  });
}

const providerOrder: readonly PriceProvider[] = MODEL_PROVIDERS;

/** Model groups under their provider, in the order the rest of the studio lists providers. */
export function pricesByProvider(models: readonly ModelPrices[]) {
  return providerOrder
    .map((provider) => ({
      provider,
      models: models
        .filter((entry) => entry.provider === provider)
        .sort((a, b) => a.model.localeCompare(b.model)),
    }))
    .filter((group) => group.models.length > 0);
}

/** A datetime-local field's value ("2025-03-01T09:30") for a date, in the browser's time zone. */
export function localDateTimeValue(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
