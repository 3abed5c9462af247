import {
  changeMemberRole,
  changeRoleInput,
  listMembers,
  removeMember,
  removeMemberInput,
} from "@studio/core";
import { z } from "zod";
import { memberOutput } from "../outputs.ts";
import { managerProcedure, orgProcedure, router } from "../trpc.ts";

export const membersRouter = router({
  list: orgProcedure
    .output(memberOutput.array())
    .query(({ ctx }) => listMembers(ctx.db, ctx.membership.organizationId)),

  changeRole: managerProcedure
    .input(changeRoleInput)
    .output(memberOutput)
    .mutation(({ ctx, input }) => changeMemberRole(ctx.db, ctx.actor, input.userId, input.role)),

  remove: managerProcedure
    .input(removeMemberInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await removeMember(ctx.db, ctx.actor, input.userId);
      return { ok: true as const };
    }),

  leave: orgProcedure.output(z.object({ ok: z.literal(true) })).mutation(async ({ ctx }) => {
    await removeMember(ctx.db, ctx.actor, ctx.user.id);
    return { ok: true as const };
  }),
});
