import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Dialog } from "../../components/ui/Dialog.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { type KeyProviderInfo, maskedKey, type ProviderKey } from "./providers.ts";

export function RemoveKeyDialog({
  provider,
  stored,
  onClose,
}: {
  provider: KeyProviderInfo | null;
  stored: ProviderKey | undefined;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const remove = useMutation(
    trpc.keys.remove.mutationOptions({
      onSuccess: async () => {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.keys.list.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.sessions.catalog.queryKey() }),
        ]);
        toast.show(`${provider?.name ?? "The"} key was removed.`);
        close();
      },
    }),
  );

  function close() {
    remove.reset();
    onClose();
  }

  const what = provider?.id === "custom" ? "endpoint" : "key";
  return (
    <Dialog
      open={provider !== null}
      onClose={close}
      dismissible={!remove.isPending}
      title={`Remove the ${provider?.name ?? ""} ${what}?`}
      description="Running sessions that use it can no longer reach their model. New sessions use the next source in line."
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={remove.isPending}>
            Cancel
          </Button>
          <Button
            variant="danger"
            pending={remove.isPending}
            onClick={() => provider && remove.mutate({ provider: provider.id })}
          >
            Remove {what}
          </Button>
        </>
      }
    >
      {remove.error ? (
        <Alert>{describeError(remove.error).message}</Alert>
      ) : (
        <p className="text-[13px] text-fg-muted">
          {stored?.baseUrl ? (
            <span className="font-mono break-all text-fg">{stored.baseUrl}</span>
          ) : (
            <span className="font-mono text-fg">{stored ? maskedKey(stored) : ""}</span>
          )}{" "}
          is deleted from Studio. You can add a key again at any time.
        </p>
      )}
    </Dialog>
  );
}
