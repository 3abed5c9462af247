import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import type { Budget } from "./BudgetDialog.tsx";
import { coverageLabel, periodAdjective } from "./budget-math.ts";

export function RemoveBudgetDialog({ budget, onClose }: { budget: Budget | null; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const remove = useMutation(
    trpc.budgets.remove.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.budgets.pathKey() });
        toast.show("Budget removed.");
        close();
      },
    }),
  );

  function close() {
    remove.reset();
    onClose();
  }

  const name = budget ? coverageLabel(budget.scope, budget.subject) : "";
  return (
    <ConfirmDialog
      open={budget !== null}
      onClose={close}
      onConfirm={() => budget && remove.mutate({ budgetId: budget.id })}
      pending={remove.isPending}
      error={remove.error}
      title={`Remove the budget for ${name}?`}
      description={
        budget
          ? `The ${periodAdjective(budget.period)} limit stops applying at once${budget.hard ? ": calls it refused go through again" : ""}.`
          : undefined
      }
      note={
        budget?.scope === "member"
          ? "The members' default, if there is one, covers them again."
          : "Spend already recorded stays in the usage ledger."
      }
      confirmLabel="Remove budget"
    />
  );
}
