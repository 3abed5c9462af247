import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId } from "react";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { CopyField } from "../../components/ui/CopyField.tsx";
import { Dialog } from "../../components/ui/Dialog.tsx";
import { Field } from "../../components/ui/Field.tsx";
import { Input, Select } from "../../components/ui/Input.tsx";
import { describeError, firstError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";

const expiryOptions = [
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "never", label: "Never" },
];

/** Creates a token and shows it exactly once; closing the dialog forgets it. */
export function CreateTokenDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const create = useMutation(
    trpc.apiTokens.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.apiTokens.list.queryKey() }),
    }),
  );
  const created = create.data;

  function close() {
    create.reset();
    onClose();
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (create.isPending) return;
    const form = new FormData(event.currentTarget);
    const expiry = String(form.get("expiry") ?? "never");
    create.mutate({
      name: String(form.get("name") ?? ""),
      expiresInDays: expiry === "never" ? null : Number(expiry),
    });
  }

  const { message, fieldErrors } = describeError(create.error, ["name", "expiresInDays"]);

  return (
    <Dialog
      open={open}
      onClose={close}
      dismissible={!create.isPending}
      title={created ? "Copy your new token" : "Create API token"}
      description={
        created
          ? `“${created.summary.name}” is ready. Send it as a Bearer token, or pass it to createStudioClient.`
          : "The token acts as you, in the organisation you're working in now."
      }
      footer={
        created ? (
          <Button onClick={close}>Done</Button>
        ) : (
          <>
            <Button variant="secondary" onClick={close} disabled={create.isPending}>
              Cancel
            </Button>
            <Button type="submit" form={formId} pending={create.isPending}>
              Create token
            </Button>
          </>
        )
      }
    >
      {created ? (
        <div className="space-y-4">
          <Alert tone="warning" title="This is the only time you'll see it">
            Studio keeps only a hash. Copy the token now and store it somewhere safe, like a password manager
            or a CI secret.
          </Alert>
          <CopyField label="API token" copyLabel="Copy API token" value={created.token} />
        </div>
      ) : (
        <form id={formId} noValidate onSubmit={onSubmit} className="space-y-4">
          {message ? <Alert>{message}</Alert> : null}
          <Field
            label="Token name"
            hint="Something that reminds you where it's used, e.g. “CI deploys”."
            error={firstError(fieldErrors, "name")}
          >
            <Input name="name" required autoComplete="off" maxLength={80} data-autofocus />
          </Field>
          <Field label="Expiration" error={firstError(fieldErrors, "expiresInDays")}>
            <Select name="expiry" defaultValue="90">
              {expiryOptions.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </Select>
          </Field>
        </form>
      )}
    </Dialog>
  );
}
