import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useId } from "react";
import { Alert } from "../../../../components/ui/Alert.tsx";
import { Button } from "../../../../components/ui/Button.tsx";
import { CopyField } from "../../../../components/ui/CopyField.tsx";
import { Dialog } from "../../../../components/ui/Dialog.tsx";
import { Field } from "../../../../components/ui/Field.tsx";
import { Select } from "../../../../components/ui/Input.tsx";
import { describeError } from "../../../../lib/errors.ts";
import { formatDateTime } from "../../../../lib/format.ts";
import { useTRPC } from "../../../../lib/trpc.ts";

const lifetimes = [
  { minutes: 60, label: "1 hour" },
  { minutes: 24 * 60, label: "1 day" },
  { minutes: 7 * 24 * 60, label: "7 days" },
];

/** Makes a signed link that opens one port's preview for anyone holding it, until it expires. */
export function SharePreviewDialog({
  sessionId,
  port,
  onClose,
}: {
  sessionId: string;
  /** The port being shared; null: the dialog is closed. */
  port: number | null;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const formId = useId();
  const share = useMutation(trpc.previews.share.mutationOptions());
  const link = share.data;

  function close() {
    share.reset();
    onClose();
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (share.isPending || port === null) return;
    const minutes = Number(new FormData(event.currentTarget).get("lifetime"));
    share.mutate({ sessionId, port, expiresInMinutes: minutes });
  }

  const { message } = describeError(share.error, []);
  return (
    <Dialog
      open={port !== null}
      onClose={close}
      dismissible={!share.isPending}
      title={`Share the preview of port ${port ?? ""}`}
      description="Anyone with the link can open this preview without signing in, until it expires or sharing is turned off in Settings."
      footer={
        link ? (
          <Button onClick={close}>Done</Button>
        ) : (
          <>
            <Button variant="secondary" onClick={close} disabled={share.isPending}>
              Cancel
            </Button>
            <Button type="submit" form={formId} pending={share.isPending}>
              Create link
            </Button>
          </>
        )
      }
    >
      {link ? (
        <CopyField
          label="Preview link"
          copyLabel="Copy preview link"
          value={link.url}
          hint={`Opens the preview until ${formatDateTime(link.expiresAt)}. It stops working while the session is stopped.`}
        />
      ) : (
        <form id={formId} noValidate onSubmit={onSubmit} className="space-y-4">
          {message ? <Alert>{message}</Alert> : null}
          <Field label="Link expires after">
            <Select name="lifetime" defaultValue={String(24 * 60)} data-autofocus>
              {lifetimes.map(({ minutes, label }) => (
                <option key={minutes} value={minutes}>
                  {label}
                </option>
              ))}
            </Select>
          </Field>
        </form>
      )}
    </Dialog>
  );
}
