// Where budgets refuse: a new session when a hard budget covering its creator (or the token it is
// started with) is already spent, with the same sentence the gateway gives for a refused call.
import type { DbTx } from "@studio/db";
import type { SessionActor } from "../sessions/sessions.ts";
import { AppError } from "../shared/errors.ts";
import { budgetReachedMessage, budgetStates, organizationBudgetRules, reachedHardBudget } from "./status.ts";

export async function assertBudgetsAllowNewSession(
  db: DbTx,
  actor: SessionActor,
  now = new Date(),
): Promise<void> {
  const { timeZone, budgets } = await organizationBudgetRules(db, actor.organizationId);
  if (!budgets.some((budget) => budget.hard)) return;
  const states = await budgetStates(db, budgets, actor, timeZone, now);
  const reached = reachedHardBudget(states);
  if (reached) throw new AppError("PAYMENT_REQUIRED", budgetReachedMessage(reached, timeZone));
}
