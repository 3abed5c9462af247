import {
  deleteGitCredential,
  gitCredentialHostInput,
  listGitCredentials,
  setGitCredential,
  setGitCredentialInput,
  testGitCredential,
  testGitCredentialInput,
} from "@studio/core";
import { z } from "zod";
import { gitCredentialOutput, gitCredentialTestOutput } from "../outputs.ts";
import { orgProcedure, router } from "../trpc.ts";

/**
 * The organisation's git credentials, one per host. Members see the hosts (masked); owners and
 * admins set, remove and test them. No token ever comes back out, nor goes to a log line.
 */
export const gitCredentialsRouter = router({
  list: orgProcedure
    .output(gitCredentialOutput.array())
    .query(({ ctx }) => listGitCredentials(ctx.db, ctx.actor)),

  set: orgProcedure
    .input(setGitCredentialInput)
    .output(gitCredentialOutput)
    .mutation(async ({ ctx, input }) => {
      const saved = await setGitCredential(ctx.db, ctx.keys.keyring, ctx.actor, input);
      ctx.logger.info({ organizationId: ctx.actor.organizationId, host: input.host }, "git credential set");
      return saved;
    }),

  remove: orgProcedure
    .input(gitCredentialHostInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteGitCredential(ctx.db, ctx.actor, input.host);
      ctx.logger.info(
        { organizationId: ctx.actor.organizationId, host: input.host },
        "git credential removed",
      );
      return { ok: true as const };
    }),

  /** `git ls-remote` of a repository on the host, run by the studio with the stored credential. */
  test: orgProcedure
    .input(testGitCredentialInput)
    .output(gitCredentialTestOutput)
    .mutation(({ ctx, input }) =>
      testGitCredential(ctx.db, ctx.keys.keyring, ctx.actor, input, {
        privateNetwork: ctx.keys.privateNetwork,
      }),
    ),
});
