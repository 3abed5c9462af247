import {
  acceptInvitation,
  createInvitation,
  createInvitationInput,
  invitationIdInput,
  invitationTokenInput,
  listInvitations,
  previewInvitation,
  revokeInvitation,
  roleSchema,
  setActiveOrganization,
} from "@studio/core";
import { z } from "zod";
import { invitationOutput } from "../outputs.ts";
import { authedProcedure, managerProcedure, publicProcedure, router } from "../trpc.ts";

export const invitationsRouter = router({
  list: managerProcedure
    .output(invitationOutput.array())
    .query(({ ctx }) => listInvitations(ctx.db, ctx.membership.organizationId)),

  /** Returns the link to share; its token is never shown again. */
  create: managerProcedure
    .input(createInvitationInput)
    .output(z.object({ invitation: invitationOutput, link: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const { token, invitation } = await createInvitation(ctx.db, ctx.actor, input);
      return { invitation, link: `${ctx.publicUrl}/invite/${token}` };
    }),

  revoke: managerProcedure
    .input(invitationIdInput)
    .output(invitationOutput)
    .mutation(({ ctx, input }) => revokeInvitation(ctx.db, ctx.actor, input.invitationId)),

  preview: publicProcedure
    .input(invitationTokenInput)
    .output(
      z.object({
        organizationName: z.string(),
        invitedBy: z.string(),
        email: z.string(),
        role: roleSchema,
        status: z.enum(["pending", "accepted", "revoked", "expired"]),
      }),
    )
    .query(({ ctx, input }) => previewInvitation(ctx.db, input.token)),

  accept: authedProcedure
    .input(invitationTokenInput)
    .output(z.object({ organizationId: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const result = await acceptInvitation(ctx.db, ctx.user, input.token, {
        confinedTo: ctx.auth.kind === "token" ? ctx.auth.token.organizationId : null,
      });
      if (ctx.auth.kind === "session")
        await setActiveOrganization(ctx.db, ctx.auth.session.id, result.organizationId);
      return result;
    }),
});
