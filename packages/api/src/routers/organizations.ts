import {
  createOrganization,
  createOrganizationInput,
  deleteOrganization,
  deleteOrganizationInput,
  findMembership,
  forbidden,
  getOrganizationSettings,
  listOrganizationsOf,
  setActiveOrganization,
  switchOrganizationInput,
  updateOrganization,
  updateOrganizationInput,
} from "@studio/core";
import { z } from "zod";
import { organizationSettingsOutput, organizationSummaryOutput } from "../outputs.ts";
import { browserSessionProcedure, managerProcedure, orgProcedure, router } from "../trpc.ts";

export const organizationsRouter = router({
  list: orgProcedure
    .output(organizationSummaryOutput.array())
    .query(({ ctx }) => listOrganizationsOf(ctx.db, ctx.user.id)),

  current: orgProcedure
    .output(organizationSettingsOutput)
    .query(({ ctx }) => getOrganizationSettings(ctx.db, ctx.membership.organizationId)),

  create: browserSessionProcedure
    .input(createOrganizationInput)
    .output(organizationSettingsOutput)
    .mutation(async ({ ctx, input }) => {
      const organization = await ctx.db.$transaction((tx) => createOrganization(tx, ctx.user.id, input.name));
      await setActiveOrganization(ctx.db, ctx.session.id, organization.id);
      return organization;
    }),

  switch: browserSessionProcedure
    .input(switchOrganizationInput)
    .output(organizationSummaryOutput)
    .mutation(async ({ ctx, input }) => {
      const membership = await findMembership(ctx.db, ctx.user.id, input.organizationId);
      if (!membership) throw forbidden("You are not a member of this organisation.");
      await setActiveOrganization(ctx.db, ctx.session.id, input.organizationId);
      return { ...membership.organization, role: membership.role };
    }),

  update: managerProcedure
    .input(updateOrganizationInput)
    .output(organizationSettingsOutput)
    .mutation(({ ctx, input }) => updateOrganization(ctx.db, ctx.membership.organizationId, input)),

  /**
   * An owner deletes an organisation (not a personal workspace), typing its name; refused while it
   * has live sessions. Browser sessions only: an API token cannot end the organisation it acts for.
   */
  delete: browserSessionProcedure
    .input(deleteOrganizationInput)
    .output(z.object({ id: z.string(), name: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const deleted = await deleteOrganization(ctx.db, ctx.user.id, input);
      ctx.logger.info({ userId: ctx.user.id, organizationId: deleted.id }, "organisation deleted");
      return deleted;
    }),
});
