import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Field } from "../../components/ui/Field.tsx";
import { FormDialog } from "../../components/ui/FormDialog.tsx";
import { Input } from "../../components/ui/Input.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError, type FieldErrors, firstError } from "../../lib/errors.ts";
import { parseUsd, usdInputValue } from "../../lib/money.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { localDateTimeValue, type ModelPrices } from "./prices.ts";

const priceFields = [
  { name: "inputPerMTok", label: "Input" },
  { name: "outputPerMTok", label: "Output" },
  { name: "cachedInputPerMTok", label: "Cached input" },
] as const;

/** People type dollars per million tokens; the API takes whole micro-USD as text (exact, no floats). */
function toMicros(text: string): string | null {
  const value = parseUsd(text);
  return value === null || value < 0n ? null : value.toString();
}

/**
 * A model's price from now or a later date. `"endpoint"` prices a model of an OpenAI-compatible
 * endpoint: those have no list price, so their calls cost nothing until one is set.
 */
export type PriceTarget = ModelPrices | "endpoint";

function describeTarget(endpoint: boolean, list: boolean): string {
  if (endpoint)
    return list
      ? "Models on OpenAI-compatible endpoints have no list price. Set one so their calls are costed for every organisation without its own."
      : "Models on your OpenAI-compatible endpoint have no list price. Set one so their calls are costed.";
  return list
    ? "The new list price applies from its effective date to every organisation without its own price for this model. Earlier charges keep the price they used."
    : "Your organisation's price replaces the platform list price from its effective date. Earlier charges keep the price they used.";
}

/** `organizationId` null sets the platform's list price. */
export function EditPriceDialog({
  target,
  organizationId,
  modelLabel,
  onClose,
}: {
  target: PriceTarget | null;
  organizationId: string | null;
  modelLabel: string;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  const endpoint = target === "endpoint";
  const entry = target === "endpoint" ? null : target;
  const save = useMutation(
    trpc.platform.setPrice.mutationOptions({
      onSuccess: async (saved, input) => {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.billing.prices.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.platform.listPrices.queryKey() }),
        ]);
        const name = endpoint ? input.model : modelLabel;
        toast.show(
          saved.effectiveFrom.getTime() > Date.now() + 60_000
            ? `New price for ${name} scheduled.`
            : `New price for ${name} in force.`,
        );
        close();
      },
    }),
  );

  function close() {
    save.reset();
    setLocalErrors({});
    onClose();
  }

  function onSubmit(form: FormData) {
    if (!target) return;
    const errors: FieldErrors = {};
    const values: Record<string, string> = {};
    for (const field of priceFields) {
      const micros = toMicros(String(form.get(field.name) ?? ""));
      if (micros === null) errors[field.name] = ["Enter dollars per million tokens, e.g. 3 or 0.075."];
      else values[field.name] = micros;
    }
    const model = entry ? entry.model : String(form.get("model") ?? "").trim();
    if (!model) errors.model = ["Enter the model id, as the endpoint names it."];
    const when = String(form.get("effectiveFrom") ?? "");
    setLocalErrors(errors);
    if (Object.keys(errors).length > 0) return;
    save.mutate({
      organizationId,
      provider: entry ? entry.provider : "custom",
      model,
      inputPerMTok: values.inputPerMTok!,
      outputPerMTok: values.outputPerMTok!,
      cachedInputPerMTok: values.cachedInputPerMTok!,
      // datetime-local is the browser's local time; empty means "from now".
      ...(when ? { effectiveFrom: new Date(when) } : {}),
    });
  }

  const shown = ["model", ...priceFields.map((field) => field.name), "effectiveFrom"];
  const server = describeError(save.error, shown);
  const errors = { ...server.fieldErrors, ...localErrors };
  const base = entry?.current;

  return (
    <FormDialog
      open={target !== null}
      onClose={close}
      onSubmit={onSubmit}
      pending={save.isPending}
      message={server.message}
      title={
        endpoint
          ? "Price an endpoint model"
          : `${organizationId === null ? "Edit list price" : "Edit price"}: ${modelLabel}`
      }
      description={describeTarget(endpoint, organizationId === null)}
      submitLabel="Save price"
    >
      {endpoint ? (
        <Field
          label="Model id"
          hint="As sessions name it, e.g. llama3.1."
          error={firstError(errors, "model")}
        >
          <Input name="model" required autoComplete="off" spellCheck={false} monospace data-autofocus />
        </Field>
      ) : null}
      <fieldset className="space-y-3">
        <legend className="mb-1.5 text-[13px] font-medium text-fg">USD per million tokens</legend>
        <div className="grid gap-3 sm:grid-cols-3">
          {priceFields.map((field, index) => (
            <Field key={field.name} label={field.label} error={firstError(errors, field.name)}>
              <Input
                name={field.name}
                inputMode="decimal"
                autoComplete="off"
                required
                defaultValue={base ? usdInputValue(base[field.name]) : ""}
                {...(index === 0 && !endpoint ? { "data-autofocus": true } : {})}
              />
            </Field>
          ))}
        </div>
      </fieldset>
      <Field
        label="Effective from"
        hint="Leave empty to apply it now. A later date schedules the change."
        error={firstError(errors, "effectiveFrom")}
      >
        <Input name="effectiveFrom" type="datetime-local" min={localDateTimeValue(new Date())} />
      </Field>
    </FormDialog>
  );
}
