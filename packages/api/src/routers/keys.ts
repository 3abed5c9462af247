import {
  assertCanManageKeys,
  deleteProviderKey,
  listProviderKeys,
  openProviderKey,
  providerKeyInput,
  setProviderKey,
  setProviderKeyInput,
} from "@studio/core";
import { z } from "zod";
import { providerKeyOutput } from "../outputs.ts";
import { orgProcedure, router } from "../trpc.ts";

/** The organisation's own provider keys; owners and admins only, and no key ever comes back out. */
export const keysRouter = router({
  list: orgProcedure
    .output(providerKeyOutput.array())
    .query(({ ctx }) => listProviderKeys(ctx.db, ctx.actor)),

  set: orgProcedure
    .input(setProviderKeyInput)
    .output(providerKeyOutput)
    .mutation(async ({ ctx, input }) => {
      const saved = await setProviderKey(ctx.db, ctx.keys.keyring, ctx.actor, input, {
        privateNetwork: ctx.keys.privateNetwork,
      });
      ctx.keys.changed(ctx.actor.organizationId);
      ctx.logger.info(
        { organizationId: ctx.actor.organizationId, provider: input.provider },
        "provider key set",
      );
      return saved;
    }),

  remove: orgProcedure
    .input(providerKeyInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteProviderKey(ctx.db, ctx.actor, input.provider);
      ctx.keys.changed(ctx.actor.organizationId);
      return { ok: true as const };
    }),

  /** Makes the cheapest call the provider offers with the stored key and reports what it said. */
  test: orgProcedure
    .input(providerKeyInput)
    .output(z.object({ ok: z.boolean(), message: z.string() }))
    .mutation(async ({ ctx, input }) => {
      assertCanManageKeys(ctx.actor);
      const key = await openProviderKey(ctx.db, ctx.keys.keyring, ctx.actor.organizationId, input.provider);
      if (!key) return { ok: false, message: "No key is stored for this provider." };
      const result = await ctx.keys.probe(input.provider, key);
      return { ok: result.ok, message: result.message };
    }),
});
