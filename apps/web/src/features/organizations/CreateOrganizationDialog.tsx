import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Field } from "../../components/ui/Field.tsx";
import { FormDialog } from "../../components/ui/FormDialog.tsx";
import { Input } from "../../components/ui/Input.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError, firstError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";

export function CreateOrganizationDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
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

  function onSubmit(form: FormData) {
    create.mutate({ name: String(form.get("name") ?? "") });
  }

  const { message, fieldErrors } = describeError(create.error, ["name"]);

  return (
    <FormDialog
      open={open}
      onClose={close}
      onSubmit={onSubmit}
      pending={create.isPending}
      message={message}
      title="Create organisation"
      description="A shared space for a team: its own members, settings and API tokens. You'll be its owner."
      submitLabel="Create organisation"
    >
      <Field label="Organisation name" error={firstError(fieldErrors, "name")}>
        <Input name="name" required autoComplete="organization" placeholder="Acme Inc." data-autofocus />
      </Field>
    </FormDialog>
  );
}
