import { useMutation } from "@tanstack/react-query";
import { ConfirmDialog } from "../../../components/ui/ConfirmDialog.tsx";
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
    <ConfirmDialog
      open={open}
      onClose={onClose}
      onConfirm={() => stop.mutate({ sessionId }, { onSuccess: onClose })}
      pending={stop.isPending}
      error={stop.error}
      title="Stop this session?"
      description="The agent stops and its sandbox shuts down. The conversation stays here, and you can resume it later."
      note="To change the provider or model, stop this session and start a new one."
      cancelLabel="Keep running"
      confirmLabel="Stop session"
    />
  );
}
