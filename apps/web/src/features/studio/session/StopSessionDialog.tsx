import { useMutation } from "@tanstack/react-query";
import { Button } from "../../../components/ui/Button.tsx";
import { Dialog } from "../../../components/ui/Dialog.tsx";
import { describeError } from "../../../lib/errors.ts";
import { useTRPC } from "../../../lib/trpc.ts";

export function StopSessionDialog({
  sessionId,
  open,
  onClose,
}: {
  sessionId: string;
  open: boolean;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const stop = useMutation(trpc.sessions.stop.mutationOptions());
  return (
    <Dialog
      open={open}
      onClose={onClose}
      dismissible={!stop.isPending}
      title="Stop this session?"
      description="The agent stops and its sandbox shuts down. The conversation stays here, and you can resume it later."
      footer={
        <>
          <Button variant="secondary" onClick={onClose} disabled={stop.isPending}>
            Keep running
          </Button>
          <Button
            variant="danger"
            pending={stop.isPending}
            onClick={() => stop.mutate({ sessionId }, { onSuccess: onClose })}
          >
            Stop session
          </Button>
        </>
      }
    >
      {stop.error ? (
        <p role="alert" className="text-[13px] text-danger-soft-fg">
          {describeError(stop.error).message}
        </p>
      ) : (
        <p className="text-[13px] text-fg-muted">
          To change the provider or model, stop this session and start a new one.
        </p>
      )}
    </Dialog>
  );
}
