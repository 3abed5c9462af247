import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { Field } from "../../components/ui/Field.tsx";
import { FormDialog } from "../../components/ui/FormDialog.tsx";
import { Input } from "../../components/ui/Input.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { cn } from "../../lib/cn.ts";
import { describeError, firstError } from "../../lib/errors.ts";
import { formatUsd } from "../../lib/money.ts";
import { useTRPC } from "../../lib/trpc.ts";

type Kind = "grant" | "adjustment";

const kinds: { value: Kind; label: string; hint: string }[] = [
  { value: "grant", label: "Grant", hint: "Adds credits." },
  { value: "adjustment", label: "Adjustment", hint: "Corrects the balance; negative removes." },
];

/**
 * An id for one change, made once per opening of the dialog: a double click, or a retry after a
 * lost response, sends the same id and the server applies the change once. getRandomValues works on
 * plain-HTTP self-hosted studios, where crypto.randomUUID does not exist.
 */
function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Grants or adjusts one organisation's platform credits (platform admins only); open while `organization` is set. */
export function CreditsDialog({
  organization,
  onClose,
}: {
  organization: { id: string; name: string } | null;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const requestId = useRef(newRequestId());
  const [kind, setKind] = useState<Kind>("grant");
  const change = useMutation(
    trpc.platform.changeCredits.mutationOptions({
      onSuccess: async (result) => {
        // Availability in the config bar depends on the balance too, and the change is a new
        // ledger entry the usage page lists and sums.
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.billing.balance.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.sessions.catalog.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.usage.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.platform.organizations.pathKey() }),
        ]);
        toast.show(
          result.duplicate
            ? "That change was already applied."
            : `Balance of ${organization?.name ?? "the organisation"} is now ${formatUsd(result.balanceMicroUsd)}.`,
        );
        close();
      },
    }),
  );

  function close() {
    change.reset();
    requestId.current = newRequestId();
    setKind("grant");
    onClose();
  }

  function onSubmit(form: FormData) {
    if (!organization) return;
    change.mutate({
      organizationId: organization.id,
      kind,
      amountUsd: String(form.get("amountUsd") ?? ""),
      reason: String(form.get("reason") ?? ""),
      requestId: requestId.current,
    });
  }

  const { message, fieldErrors } = describeError(change.error, ["kind", "amountUsd", "reason"]);
  return (
    <FormDialog
      open={organization !== null}
      onClose={close}
      onSubmit={onSubmit}
      pending={change.isPending}
      message={message}
      title="Grant or adjust credits"
      description={`Platform credits of ${organization?.name ?? "the organisation"}: they pay for its sessions that run without a key of its own.`}
      submitLabel={kind === "grant" ? "Grant credits" : "Apply adjustment"}
    >
      <fieldset>
        <legend className="mb-1.5 text-[13px] font-medium text-fg">Kind</legend>
        <div className="grid grid-cols-2 gap-2">
          {kinds.map((option) => (
            <label
              key={option.value}
              className={cn(
                "flex cursor-pointer flex-col rounded-lg border px-3 py-2 text-[13px] transition-colors has-focus-visible:ring-2 has-focus-visible:ring-ring",
                kind === option.value
                  ? "border-accent bg-accent-soft text-accent-soft-fg"
                  : "border-line text-fg hover:bg-surface-hover",
              )}
            >
              <input
                type="radio"
                name="kind"
                value={option.value}
                checked={kind === option.value}
                onChange={() => setKind(option.value)}
                className="sr-only"
              />
              <span className="font-medium">{option.label}</span>
              <span className={kind === option.value ? undefined : "text-fg-muted"}>{option.hint}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <Field
        label="Amount (USD)"
        hint={kind === "grant" ? "e.g. 25 or 10.50" : "e.g. -5 to remove five dollars, or 2.50 to add"}
        error={firstError(fieldErrors, "amountUsd")}
      >
        <Input name="amountUsd" inputMode="decimal" autoComplete="off" required data-autofocus />
      </Field>
      <Field
        label="Reason"
        hint="Kept with the ledger entry, e.g. “Monthly allowance” or “Refund for failed session”."
        error={firstError(fieldErrors, "reason")}
      >
        <Input name="reason" required minLength={3} maxLength={500} autoComplete="off" />
      </Field>
    </FormDialog>
  );
}
