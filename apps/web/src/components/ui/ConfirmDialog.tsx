import type { ReactNode } from "react";
import { describeError } from "../../lib/errors.ts";
import { Alert } from "./Alert.tsx";
import { Button } from "./Button.tsx";
import { Dialog } from "./Dialog.tsx";

export interface ConfirmDialogProps {
  open: boolean;
  /** Cancel, Escape, the close button and the backdrop; none of them work while `pending`. */
  onClose: () => void;
  onConfirm: () => void;
  /** A question, e.g. "Remove Ada?"; it names the dialog. */
  title: ReactNode;
  /** What happens on confirming; it describes the dialog. */
  description?: ReactNode;
  /** A line under the description; a failure's message takes its place, so the dialog keeps its size. */
  note?: ReactNode;
  /** Anything that stays whatever happens, such as an option the confirmation takes. */
  children?: ReactNode;
  confirmLabel: ReactNode;
  cancelLabel?: ReactNode;
  /** "danger" for what deletes, revokes or ends something. */
  tone?: "danger" | "default";
  /** While the request runs: the confirm button spins and nothing else can be pressed. */
  pending?: boolean;
  /** The failed request's error, told in words inside the dialog. */
  error?: unknown;
}

/**
 * Asks before doing something. Focus starts on the safe button, so a stray Enter cancels; the
 * confirm button stays where it is on a failure, so trying again is one click.
 */
export function ConfirmDialog({
  open,
  onClose,
  onConfirm,
  title,
  description,
  note,
  children,
  confirmLabel,
  cancelLabel = "Cancel",
  tone = "danger",
  pending = false,
  error,
}: ConfirmDialogProps) {
  const failure = error ? (describeError(error).message ?? "Something went wrong. Try again.") : null;
  const body = failure ? (
    <Alert>{failure}</Alert>
  ) : note ? (
    <p className="text-[13px] text-fg-muted">{note}</p>
  ) : null;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      dismissible={!pending}
      title={title}
      description={description}
      footer={
        <>
          <Button variant="secondary" onClick={onClose} disabled={pending} data-autofocus>
            {cancelLabel}
          </Button>
          <Button variant={tone === "danger" ? "danger" : "primary"} pending={pending} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children ? (
        <div className="space-y-3">
          {body}
          {children}
        </div>
      ) : (
        body
      )}
    </Dialog>
  );
}
