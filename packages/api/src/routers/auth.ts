import {
  changePassword,
  changePasswordInput,
  createAuthSession,
  deleteAccount,
  deleteAccountInput,
  getAccount,
  invalidateSession,
  listOrganizationsOf,
  signIn,
  signInInput,
  signOutEverywhere,
  signOutEverywhereInput,
  signUp,
  signUpInput,
  studioHasAccounts,
  updateProfile,
  updateProfileInput,
} from "@studio/core";
import { z } from "zod";
import { userOf, wantedOrganizationId } from "../actor.ts";
import { accountOutput, meOutput } from "../outputs.ts";
import { authedProcedure, browserSessionProcedure, orgProcedure, publicProcedure, router } from "../trpc.ts";

/** What ending access did, so the page can say it. */
const endedAccessOutput = z.object({
  endedSessions: z.number().int(),
  revokedApiTokens: z.number().int(),
});

export const authRouter = router({
  signUp: publicProcedure
    .input(signUpInput)
    .output(accountOutput)
    .mutation(async ({ ctx, input }) => {
      const { user, organizationId } = await signUp(ctx.db, input, ctx.signUps, {
        // An exempt client (loopback, LIMITS_EXEMPT_ADDRESSES) is not counted against sign-ups.
        ipAddress: ctx.request.limitExempt ? null : ctx.request.ipAddress,
      });
      const session = await createAuthSession(ctx.db, user.id, organizationId, ctx.request);
      ctx.cookies.set(session.token, session.expiresAt);
      ctx.logger.info({ userId: user.id }, "account created");
      return user;
    }),

  /**
   * Whether anyone may sign up now, or only people invited: the sign-up page says so before the
   * form. A studio without accounts yet takes its first one whatever the policy.
   */
  signUpPolicy: publicProcedure
    .output(z.object({ signUps: z.enum(["open", "invitation"]) }))
    .query(async ({ ctx }) => ({
      signUps: ctx.signUps === "invitation" && (await studioHasAccounts(ctx.db)) ? "invitation" : "open",
    })),

  signIn: publicProcedure
    .input(signInInput)
    .output(accountOutput)
    .mutation(async ({ ctx, input }) => {
      const user = await signIn(ctx.db, input, ctx.request.ipAddress);
      const [first] = await listOrganizationsOf(ctx.db, user.id);
      const session = await createAuthSession(ctx.db, user.id, first?.id ?? null, ctx.request);
      ctx.cookies.set(session.token, session.expiresAt);
      return user;
    }),

  signOut: publicProcedure.output(z.object({ ok: z.literal(true) })).mutation(async ({ ctx }) => {
    if (ctx.auth?.kind === "session") await invalidateSession(ctx.db, ctx.auth.session.id);
    ctx.cookies.clear();
    return { ok: true as const };
  }),

  /** Ends every browser session of the account, this one included, and its API tokens when asked. */
  signOutEverywhere: browserSessionProcedure
    .input(signOutEverywhereInput)
    .output(endedAccessOutput)
    .mutation(async ({ ctx, input }) => {
      const ended = await signOutEverywhere(ctx.db, ctx.user.id, input);
      ctx.cookies.clear();
      return ended;
    }),

  /** Who is signed in, where they act, and every organisation they can switch to; null when signed out. */
  me: publicProcedure.output(meOutput).query(async ({ ctx }) => {
    if (!ctx.auth) return null;
    const user = userOf(ctx.auth);
    const organizations = await listOrganizationsOf(ctx.db, user.id);
    const wanted = wantedOrganizationId(ctx.auth);
    const active = organizations.find((org) => org.id === wanted) ?? organizations[0] ?? null;
    return { user, activeOrganization: active, organizations, via: ctx.auth.kind };
  }),

  updateProfile: authedProcedure
    .input(updateProfileInput)
    .output(accountOutput)
    .mutation(({ ctx, input }) => updateProfile(ctx.db, ctx.user.id, input)),

  changePassword: browserSessionProcedure
    .input(changePasswordInput)
    .output(endedAccessOutput.extend({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      const ended = await changePassword(ctx.db, ctx.user.id, ctx.session.id, input);
      return { ok: true as const, ...ended };
    }),

  account: orgProcedure.output(accountOutput).query(({ ctx }) => getAccount(ctx.db, ctx.user.id)),

  /**
   * Deletes the signed-in person's account, confirmed with their password, with the organisations
   * only they belong to; signs this browser out. Browser sessions only, like changing the password.
   */
  deleteAccount: browserSessionProcedure
    .input(deleteAccountInput)
    .output(z.object({ deletedOrganizations: z.object({ id: z.string(), name: z.string() }).array() }))
    .mutation(async ({ ctx, input }) => {
      const deleted = await deleteAccount(ctx.db, ctx.user.id, input);
      ctx.cookies.clear();
      ctx.logger.info(
        { userId: ctx.user.id, organizations: deleted.deletedOrganizations.length },
        "account deleted",
      );
      return deleted;
    }),
});
