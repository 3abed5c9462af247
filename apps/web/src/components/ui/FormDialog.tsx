import { type FormEvent, type ReactNode, useId } from "react";
import { Alert } from "./Alert.tsx";
import { Button } from "./Button.tsx";
import { Dialog } from "./Dialog.tsx";

export interface FormDialogProps {
  open: boolean;
  /** Cancel, Escape, the close button and the backdrop. */
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  /** Called with the form's values on submit, unless a request is already running. */
  onSubmit: (form: FormData) => void;
  submitLabel: ReactNode;
  cancelLabel?: ReactNode;
  /** While the request runs the submit button spins and a second submit is ignored. */
  pending?: boolean;
  /**
   * Whether the dialog can be closed while the request runs; only for one that changes nothing
   * (a test), since closing forgets its answer.
   */
  closableWhilePending?: boolean;
  /** The failure's sentence for the whole form, shown above the fields; fields show their own. */
  message?: string | null;
  /** The fields. Mark the first one to type in with `data-autofocus`. */
  children: ReactNode;
}

/** A dialog around one form, with Cancel and a submit button along the bottom edge. */
export function FormDialog({
  open,
  onClose,
  title,
  description,
  onSubmit,
  submitLabel,
  cancelLabel = "Cancel",
  pending = false,
  closableWhilePending = false,
  message,
  children,
}: FormDialogProps) {
  const formId = useId();
  const closable = !pending || closableWhilePending;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    onSubmit(new FormData(event.currentTarget));
  }

  return (
    <Dialog
      open={open}
      onClose={onClose}
      dismissible={closable}
      title={title}
      description={description}
      footer={
        <>
          <Button variant="secondary" onClick={onClose} disabled={!closable}>
            {cancelLabel}
          </Button>
          <Button type="submit" form={formId} pending={pending}>
            {submitLabel}
          </Button>
        </>
      }
    >
      <form id={formId} noValidate onSubmit={submit} className="space-y-4">
        {message ? <Alert>{message}</Alert> : null}
        {children}
      </form>
    </Dialog>
  );
}
