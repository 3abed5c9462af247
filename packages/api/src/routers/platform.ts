import {
  changeCreditsInput,
  changeOrganizationCredits,
  listListPrices,
  listPlatformOrganizations,
  listPlatformOrganizationsInput,
  setModelPrice,
  setPriceInput,
} from "@studio/core";
import { z } from "zod";
import { priceOutput } from "../outputs.ts";
import { platformProcedure, router } from "../trpc.ts";

const platformOrganizationOutput = z.object({
  id: z.string(),
  name: z.string(),
  personal: z.boolean(),
  createdAt: z.date(),
  members: z.number().int(),
  owners: z.object({ name: z.string(), email: z.string() }).array(),
  balanceMicroUsd: z.bigint(),
  platformSpendMicroUsd: z.bigint(),
});

/** The studio as a whole: what its platform admins do across organisations. */
export const platformRouter = router({
  organizations: platformProcedure
    .input(listPlatformOrganizationsInput)
    .output(
      z.object({
        organizations: platformOrganizationOutput.array(),
        nextCursor: z.object({ name: z.string(), id: z.string() }).nullable(),
      }),
    )
    .query(({ ctx, input }) => listPlatformOrganizations(ctx.db, ctx.platformActor, input)),

  /** A grant or adjustment of an organisation's platform credits, with its reason. */
  changeCredits: platformProcedure
    .input(changeCreditsInput)
    .output(z.object({ balanceMicroUsd: z.bigint(), duplicate: z.boolean() }))
    .mutation(({ ctx, input }) => changeOrganizationCredits(ctx.db, ctx.platformActor, input)),

  /** The list prices every organisation without its own price pays, with their history. */
  listPrices: platformProcedure
    .output(priceOutput.array())
    .query(({ ctx }) => listListPrices(ctx.db, ctx.platformActor)),

  /**
   * A list price (no organisation) or an organisation's own price, from its effective date on; the
   * previous one stays in the history.
   */
  setPrice: platformProcedure
    .input(setPriceInput)
    .output(z.object({ id: z.string(), effectiveFrom: z.date() }))
    .mutation(async ({ ctx, input }) => {
      const price = await setModelPrice(ctx.db, ctx.platformActor, input);
      return { id: price.id, effectiveFrom: price.effectiveFrom };
    }),
});
