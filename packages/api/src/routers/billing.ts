import { listPriceHistory, MINIMUM_BALANCE_MICRO_USD, organizationBalance } from "@studio/core";
import { z } from "zod";
import { priceOutput } from "../outputs.ts";
import { orgProcedure, router } from "../trpc.ts";

// What members see of their organisation's credits and prices; platform admins change them (platform.ts).
export const billingRouter = router({
  /** Every member may see the balance: it explains why platform-credit sessions are refused. */
  balance: orgProcedure
    .output(z.object({ balanceMicroUsd: z.bigint(), minimumToStartMicroUsd: z.bigint() }))
    .query(async ({ ctx }) => ({
      ...(await organizationBalance(ctx.db, ctx.actor.organizationId)),
      minimumToStartMicroUsd: MINIMUM_BALANCE_MICRO_USD,
    })),

  prices: orgProcedure
    .output(priceOutput.array())
    .query(({ ctx }) => listPriceHistory(ctx.db, ctx.actor.organizationId)),
});
