// Budgets: owners and admins set them and see every one with this period's spend, each member's
// spend against theirs (the Usage page) and the alerts crossed; everyone sees what covers them.
// Programs do all of it with an admin's API token.
import {
  BUDGET_PERIODS,
  BUDGET_SCOPES,
  listBudgetAlerts,
  listBudgets,
  listOrganizationApiTokens,
  memberBudgetUsage,
  myBudgets,
  removeBudget,
  removeBudgetInput,
  setBudget,
  setBudgetInput,
} from "@studio/core";
import { z } from "zod";
import { managerProcedure, orgProcedure, router } from "../trpc.ts";

const scope = z.enum(BUDGET_SCOPES);
const period = z.enum(BUDGET_PERIODS);

const budgetOutput = z.object({
  id: z.string(),
  scope,
  subject: z
    .discriminatedUnion("kind", [
      z.object({ kind: z.literal("member"), userId: z.string(), name: z.string(), email: z.string() }),
      z.object({ kind: z.literal("token"), apiTokenId: z.string(), name: z.string() }),
    ])
    .nullable(),
  period,
  limitMicroUsd: z.bigint(),
  hard: z.boolean(),
  alertPercents: z.array(z.number().int()),
  spentMicroUsd: z.bigint().nullable(),
  projectedMicroUsd: z.bigint().nullable(),
  startsAt: z.date(),
  resetsAt: z.date(),
});

const coveringOutput = z.object({
  budgetId: z.string(),
  scope,
  period,
  limitMicroUsd: z.bigint(),
  hard: z.boolean(),
  spentMicroUsd: z.bigint(),
  remainingMicroUsd: z.bigint(),
  resetsAt: z.date(),
  crossedPercent: z.number().int().nullable(),
});

const memberUsageOutput = z.object({
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  budget: z
    .object({ id: z.string(), scope, period, limitMicroUsd: z.bigint(), hard: z.boolean() })
    .nullable(),
  spentMicroUsd: z.bigint(),
  projectedMicroUsd: z.bigint(),
  resetsAt: z.date(),
});

const alertOutput = z.object({
  id: z.string(),
  subject: z.string(),
  percent: z.number().int(),
  limitMicroUsd: z.bigint(),
  spentMicroUsd: z.bigint(),
  periodStart: z.date(),
  createdAt: z.date(),
  budget: z.object({ scope, period, hard: z.boolean() }),
});

export const budgetsRouter = router({
  list: managerProcedure.output(z.array(budgetOutput)).query(({ ctx }) => listBudgets(ctx.db, ctx.actor)),
  /** Creates the subject's budget, or changes it (one budget per subject). */
  set: managerProcedure
    .input(setBudgetInput)
    .output(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => setBudget(ctx.db, ctx.actor, input)),
  remove: managerProcedure
    .input(removeBudgetInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await removeBudget(ctx.db, ctx.actor, input.budgetId);
      return { ok: true as const };
    }),
  /** The budgets that cover the caller's own model calls, with what is left of each. */
  mine: orgProcedure.output(z.array(coveringOutput)).query(({ ctx }) => myBudgets(ctx.db, ctx.actor)),
  /** Each member's spend this period against their budget, with the projection at its end. */
  members: managerProcedure
    .output(z.array(memberUsageOutput))
    .query(({ ctx }) => memberBudgetUsage(ctx.db, ctx.actor)),
  /** The organisation's live API tokens, whoever made them: what a token's budget may name. */
  tokens: managerProcedure
    .output(z.array(z.object({ id: z.string(), name: z.string(), owner: z.string() })))
    .query(async ({ ctx }) =>
      (await listOrganizationApiTokens(ctx.db, ctx.actor.organizationId)).map((token) => ({
        id: token.id,
        name: token.name,
        owner: token.user.name,
      })),
    ),
  alerts: managerProcedure
    .output(z.array(alertOutput))
    .query(({ ctx }) => listBudgetAlerts(ctx.db, ctx.actor.organizationId)),
});
