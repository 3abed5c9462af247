import {
  apiTokenIdInput,
  createApiToken,
  createApiTokenInput,
  listApiTokens,
  reserveAttempt,
  revokeApiToken,
  type ThrottleRule,
} from "@studio/core";
import { z } from "zod";
import { apiTokenOutput } from "../outputs.ts";
import { orgBrowserSessionProcedure, orgProcedure, router } from "../trpc.ts";

const owner = (ctx: { user: { id: string }; membership: { organizationId: string } }) => ({
  userId: ctx.user.id,
  organizationId: ctx.membership.organizationId,
});

/** API tokens one client address may create in an hour: plenty for people, few for a script. */
export const TOKENS_PER_ADDRESS_PER_HOUR = 20;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Token creation per client address, counted in PostgreSQL like sign-ups (every replica sees the
 * same count). Exempt clients (loopback, LIMITS_EXEMPT_ADDRESSES) are not counted, as with sign-ups.
 */
export function tokenCreationRules(ipAddress: string | null | undefined): ThrottleRule[] {
  if (!ipAddress) return [];
  return [
    {
      key: `api-token:${ipAddress}`,
      freeFailures: TOKENS_PER_ADDRESS_PER_HOUR,
      windowMs: HOUR_MS,
      baseLockMs: HOUR_MS,
      maxLockMs: HOUR_MS,
      refusal: "Too many API tokens were created from your network.",
    },
  ];
}

export const apiTokensRouter = router({
  list: orgProcedure.output(apiTokenOutput.array()).query(({ ctx }) => listApiTokens(ctx.db, owner(ctx))),

  /** The token is in this response only; the studio keeps a hash. Browser sessions only. */
  create: orgBrowserSessionProcedure
    .input(createApiTokenInput)
    .output(z.object({ token: z.string(), summary: apiTokenOutput }))
    .mutation(async ({ ctx, input }) => {
      // Counted once the caller and input are known good: a refused call writes nothing.
      await reserveAttempt(
        ctx.db,
        tokenCreationRules(ctx.request.limitExempt ? null : ctx.request.ipAddress),
      );
      return createApiToken(ctx.db, owner(ctx), input);
    }),

  revoke: orgProcedure
    .input(apiTokenIdInput)
    .output(apiTokenOutput)
    .mutation(({ ctx, input }) => revokeApiToken(ctx.db, owner(ctx), input.tokenId)),
});
