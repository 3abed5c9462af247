// Model prices with history. The platform's list prices (no organisation) are seeded at boot from
// the code's catalogue; platform admins add newer list rows (a provider changed its prices, a model
// of the studio's own endpoint needs one) and an organisation's own rows, which win for it from their
// effective date. Organisations' admins cannot: the price decides what platform credits pay. Rows
// are never edited: a change is a newer row, so every ledger entry's price stays on record.
import type { Db, DbTx } from "@studio/db";
import {
  getCatalogProvider,
  isPriceableModel,
  LIST_PRICES_EFFECTIVE_FROM,
  listPrices,
  type ModelProvider,
} from "@studio/models";
import { z } from "zod";
import { assertPlatformAdmin, type PlatformActor } from "../platform/actor.ts";
import { modelProviderSchema } from "../sessions/schemas.ts";
import { AppError } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";

export interface PriceRow {
  id: string;
  inputPerMTok: bigint;
  outputPerMTok: bigint;
  cachedInputPerMTok: bigint;
}

const priceSelect = { id: true, inputPerMTok: true, outputPerMTok: true, cachedInputPerMTok: true } as const;

/** Inserts the list prices that are not there yet; ids are deterministic, so boots on many replicas agree. */
export async function seedListPrices(db: DbTx): Promise<number> {
  const day = LIST_PRICES_EFFECTIVE_FROM.toISOString().slice(0, 10);
  const { count } = await db.modelPrice.createMany({
    data: listPrices().map((price) => ({
      id: `list:${price.provider}:${price.model}:${day}`,
      provider: price.provider,
      model: price.model,
      inputPerMTok: BigInt(price.inputPerMTok),
      outputPerMTok: BigInt(price.outputPerMTok),
      cachedInputPerMTok: BigInt(price.cachedInputPerMTok),
      effectiveFrom: LIST_PRICES_EFFECTIVE_FROM,
    })),
    skipDuplicates: true,
  });
  return count;
}

/** The price in force for the organisation at `at`: its own newest row, else the platform's; null if none. */
export async function priceFor(
  db: DbTx,
  organizationId: string,
  provider: ModelProvider,
  model: string,
  at: Date,
): Promise<PriceRow | null> {
  const newest = (orgId: string | null) =>
    db.modelPrice.findFirst({
      where: { organizationId: orgId, provider, model, effectiveFrom: { lte: at } },
      orderBy: { effectiveFrom: "desc" },
      select: priceSelect,
    });
  return (await newest(organizationId)) ?? (await newest(null));
}

const perMTok = z
  .string()
  .regex(/^\d{1,12}$/, { error: "Use a whole number of micro-USD per million tokens." })
  .transform((value) => BigInt(value));

export const setPriceInput = z.object({
  /** Null sets the platform's list price, which every organisation without its own price pays. */
  organizationId: z.string().min(1).max(64).nullable(),
  provider: modelProviderSchema,
  model: z.string().trim().min(1).max(120),
  inputPerMTok: perMTok,
  outputPerMTok: perMTok,
  cachedInputPerMTok: perMTok,
  /** Defaults to now; may not be in the past (what was charged stays charged). */
  effectiveFrom: z.coerce.date().optional(),
});
export type SetPriceInput = z.infer<typeof setPriceInput>;

const PAST_TOLERANCE_MS = 60_000;

export async function setModelPrice(db: DbTx, actor: PlatformActor, input: SetPriceInput, now = new Date()) {
  assertPlatformAdmin(actor, "change prices");
  const effectiveFrom = input.effectiveFrom ?? now;
  if (effectiveFrom.getTime() < now.getTime() - PAST_TOLERANCE_MS)
    throw new AppError(
      "BAD_REQUEST",
      "Choose an effective date from now on: past charges keep the price they used.",
    );
  if (input.cachedInputPerMTok > input.inputPerMTok)
    throw new AppError("BAD_REQUEST", "Cached input cannot cost more than input.");
  if (!isPriceableModel(input.provider, input.model))
    throw new AppError(
      "BAD_REQUEST",
      `${input.model} is not a model of ${getCatalogProvider(input.provider).name} in this studio: no call to it is ever charged.`,
    );
  if (
    input.organizationId !== null &&
    !(await db.organization.findUnique({ where: { id: input.organizationId }, select: { id: true } }))
  )
    throw new AppError("NOT_FOUND", "No such organisation.");
  return db.modelPrice.create({
    data: {
      id: newId(),
      organizationId: input.organizationId,
      provider: input.provider,
      model: input.model,
      inputPerMTok: input.inputPerMTok,
      outputPerMTok: input.outputPerMTok,
      cachedInputPerMTok: input.cachedInputPerMTok,
      effectiveFrom,
      createdById: actor.userId,
    },
    select: { ...priceSelect, effectiveFrom: true },
  });
}

/**
 * Every price row the organisation sees (the platform's and its own), newest first per model;
 * with no organisation, the platform's list prices alone.
 */
export async function listPriceHistory(db: Db | DbTx, organizationId: string | null) {
  return db.modelPrice.findMany({
    where:
      organizationId === null
        ? { organizationId: null }
        : { OR: [{ organizationId: null }, { organizationId }] },
    orderBy: [{ provider: "asc" }, { model: "asc" }, { effectiveFrom: "desc" }],
    select: {
      ...priceSelect,
      provider: true,
      model: true,
      effectiveFrom: true,
      organizationId: true,
      createdAt: true,
      createdBy: { select: { name: true } },
    },
  });
}

/** The platform's list prices with their history, for the platform admins who set them. */
export async function listListPrices(db: Db | DbTx, actor: PlatformActor) {
  assertPlatformAdmin(actor, "manage list prices");
  return listPriceHistory(db, null);
}
