import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { type GitHost, maskedToken } from "./git-hosts.ts";

export function RemoveGitHostDialog({ host, onClose }: { host: GitHost | null; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const remove = useMutation(
    trpc.gitCredentials.remove.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.gitCredentials.list.queryKey() });
        toast.show(`Credential for ${host?.host ?? "the host"} removed.`);
        close();
      },
    }),
  );

  function close() {
    remove.reset();
    onClose();
  }

  return (
    <ConfirmDialog
      open={host !== null}
      onClose={close}
      onConfirm={() => host && remove.mutate({ host: host.host })}
      pending={remove.isPending}
      error={remove.error}
      title={`Remove the ${host?.host ?? ""} credential?`}
      description="Studio can then no longer reach private repositories on this host until a credential is added again."
      note={
        <>
          The token <span className="font-mono text-fg">{host ? maskedToken(host) : ""}</span> is deleted from
          Studio. Revoke it at the host too if it is no longer needed.
        </>
      }
      confirmLabel="Remove credential"
    />
  );
}
