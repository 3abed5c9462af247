import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
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
    <ConfirmDialog
      open={provider !== null}
      onClose={close}
      onConfirm={() => provider && remove.mutate({ provider: provider.id })}
      pending={remove.isPending}
      error={remove.error}
      title={`Remove the ${provider?.name ?? ""} ${what}?`}
      description="Running sessions that use it can no longer reach their model. New sessions use the next source in line."
      note={
        <>
          {stored?.baseUrl ? (
            <span className="font-mono break-all text-fg">{stored.baseUrl}</span>
          ) : (
            <span className="font-mono text-fg">{stored ? maskedKey(stored) : ""}</span>
          )}{" "}
          is deleted from Studio. You can add a key again at any time.
        </>
      }
      confirmLabel={`Remove ${what}`}
    />
  );
}
