import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { Field } from "../../../../../components/ui/Field.tsx";
import { FormDialog } from "../../../../../components/ui/FormDialog.tsx";
import { Input } from "../../../../../components/ui/Input.tsx";
import { describeError, firstError } from "../../../../../lib/errors.ts";
import { useTRPC } from "../../../../../lib/trpc.ts";

/** Renames a terminal (its tab); everyone watching sees the new name through the session's log. */
export function RenameTerminalDialog({
  sessionId,
  terminal,
  onClose,
}: {
  sessionId: string;
  /** The terminal being renamed; null while closed. */
  terminal: { id: string; name: string } | null;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rename = useMutation(
    trpc.terminals.rename.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.terminals.list.queryKey({ sessionId }) });
        onClose();
      },
    }),
  );
  const error = describeError(rename.error, ["name"]);
  useEffect(() => {
    if (!terminal) rename.reset();
  }, [terminal, rename.reset]);

  return (
    <FormDialog
      open={terminal !== null}
      onClose={onClose}
      title="Rename terminal"
      submitLabel="Rename"
      pending={rename.isPending}
      message={error.message}
      onSubmit={(form) => {
        if (!terminal) return;
        rename.mutate({ sessionId, terminalId: terminal.id, name: String(form.get("name") ?? "") });
      }}
    >
      {terminal ? (
        <Field label="Name" error={firstError(error.fieldErrors, "name")}>
          <Input
            key={terminal.id}
            name="name"
            defaultValue={terminal.name}
            maxLength={60}
            autoComplete="off"
            data-autofocus
          />
        </Field>
      ) : null}
    </FormDialog>
  );
}
