import { z } from "zod";
import { BUDGET_PERIODS } from "./periods.ts";

/** Who a budget covers: the organisation, every member (a default), one member, one API token. */
export const BUDGET_SCOPES = ["organization", "member_default", "member", "api_token"] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];

/** $1,000,000 a period at most: any more is a typo, not a budget. */
export const MAX_BUDGET_MICRO_USD = 1_000_000_000_000;

const id = z.string().min(1).max(64);

export const setBudgetInput = z
  .object({
    scope: z.enum(BUDGET_SCOPES),
    /** The member, for `member`. */
    userId: id.optional(),
    /** The token, for `api_token`. */
    apiTokenId: id.optional(),
    period: z.enum(BUDGET_PERIODS).default("month"),
    limitMicroUsd: z
      .number()
      .int("Give the limit in whole micro-USD.")
      .min(0, "A limit cannot be negative.")
      .max(MAX_BUDGET_MICRO_USD, "A budget is at most $1,000,000 a period."),
    /** Hard: model calls are refused once it is reached. Soft: it only alerts. */
    hard: z.boolean().default(true),
    /** Percentages of the limit whose crossing alerts, e.g. 50, 80, 100. */
    alertPercents: z
      .array(
        z.number().int().min(1, "Thresholds are 1 % or more.").max(1000, "Thresholds are at most 1000 %."),
      )
      .max(10, "At most 10 thresholds.")
      .default([50, 80, 100])
      .transform((percents) => [...new Set(percents)].sort((a, b) => a - b)),
  })
  .superRefine((input, ctx) => {
    if (input.scope === "member" && !input.userId)
      ctx.addIssue({ code: "custom", path: ["userId"], message: "Choose the member this budget is for." });
    if (input.scope === "api_token" && !input.apiTokenId)
      ctx.addIssue({
        code: "custom",
        path: ["apiTokenId"],
        message: "Choose the API token this budget is for.",
      });
    if (input.scope !== "member" && input.userId)
      ctx.addIssue({ code: "custom", path: ["userId"], message: "Only a member's budget names a member." });
    if (input.scope !== "api_token" && input.apiTokenId)
      ctx.addIssue({ code: "custom", path: ["apiTokenId"], message: "Only a token's budget names a token." });
  });
export type SetBudgetInput = z.infer<typeof setBudgetInput>;

export const removeBudgetInput = z.object({ budgetId: id });
