import {
  apiTokenIdInput,
  createApiToken,
  createApiTokenInput,
  listApiTokens,
  revokeApiToken,
} from "@studio/core";
import { z } from "zod";
import { apiTokenOutput } from "../outputs.ts";
import { orgBrowserSessionProcedure, orgProcedure, router } from "../trpc.ts";

const owner = (ctx: { user: { id: string }; membership: { organizationId: string } }) => ({
  userId: ctx.user.id,
  organizationId: ctx.membership.organizationId,
});

export const apiTokensRouter = router({
  list: orgProcedure.output(apiTokenOutput.array()).query(({ ctx }) => listApiTokens(ctx.db, owner(ctx))),

  /** The token is in this response only; the studio keeps a hash. Browser sessions only. */
  create: orgBrowserSessionProcedure
    .input(createApiTokenInput)
    .output(z.object({ token: z.string(), summary: apiTokenOutput }))
    .mutation(({ ctx, input }) => createApiToken(ctx.db, owner(ctx), input)),

  revoke: orgProcedure
    .input(apiTokenIdInput)
    .output(apiTokenOutput)
    .mutation(({ ctx, input }) => revokeApiToken(ctx.db, owner(ctx), input.tokenId)),
});
