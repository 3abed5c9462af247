import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId } from "react";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Dialog } from "../../components/ui/Dialog.tsx";
import { Field } from "../../components/ui/Field.tsx";
import { Input } from "../../components/ui/Input.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError, firstError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";

export function CreateOrganizationDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const formId = useId();
  const create = useMutation(
    trpc.organizations.create.mutationOptions({
      onSuccess: async (organization) => {
        // The new organisation is now the active one, so everything scoped to an organisation changes.
        await queryClient.invalidateQueries();
        toast.show(`Created ${organization.name}. You're now working in it.`);
        close();
      },
    }),
  );

  function close() {
    create.reset();
    onClose();
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (create.isPending) return;
    create.mutate({ name: String(new FormData(event.currentTarget).get("name") ?? "") });
  }

  const { message, fieldErrors } = describeError(create.error, ["name"]);

  return (
    <Dialog
      open={open}
      onClose={close}
      dismissible={!create.isPending}
      title="Create organisation"
      description="A shared space for a team: its own members, settings and API tokens. You'll be its owner."
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" form={formId} pending={create.isPending}>
            Create organisation
          </Button>
        </>
      }
    >
      <form id={formId} noValidate onSubmit={onSubmit} className="space-y-4">
        {message ? <Alert>{message}</Alert> : null}
        <Field label="Organisation name" error={firstError(fieldErrors, "name")}>
          <Input name="name" required autoComplete="organization" placeholder="Acme Inc." data-autofocus />
        </Field>
      </form>
    </Dialog>
  );
}
