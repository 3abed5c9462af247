import {
  changeCreditsInput,
  changeOrganizationCredits,
  listPriceHistory,
  MINIMUM_BALANCE_MICRO_USD,
  organizationBalance,
  setOrganizationPrice,
  setPriceInput,
} from "@studio/core";
import { z } from "zod";
import { priceOutput } from "../outputs.ts";
import { orgProcedure, router } from "../trpc.ts";

export const billingRouter = router({
  /** Every member may see the balance: it explains why platform-credit sessions are refused. */
  balance: orgProcedure
    .output(z.object({ balanceMicroUsd: z.bigint(), minimumToStartMicroUsd: z.bigint() }))
    .query(async ({ ctx }) => ({
      ...(await organizationBalance(ctx.db, ctx.actor.organizationId)),
      minimumToStartMicroUsd: MINIMUM_BALANCE_MICRO_USD,
    })),

  /** A grant or adjustment with its reason; owners and admins only. */
  changeCredits: orgProcedure
    .input(changeCreditsInput)
    .output(z.object({ balanceMicroUsd: z.bigint(), duplicate: z.boolean() }))
    .mutation(({ ctx, input }) => changeOrganizationCredits(ctx.db, ctx.actor, input)),

  prices: orgProcedure
    .output(priceOutput.array())
    .query(({ ctx }) => listPriceHistory(ctx.db, ctx.actor.organizationId)),

  /** A new price from its effective date on; the previous one stays in the history. */
  setPrice: orgProcedure
    .input(setPriceInput)
    .output(z.object({ id: z.string(), effectiveFrom: z.date() }))
    .mutation(async ({ ctx, input }) => {
      const price = await setOrganizationPrice(ctx.db, ctx.actor, input);
      return { id: price.id, effectiveFrom: price.effectiveFrom };
    }),
});
