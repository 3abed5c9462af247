import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Dialog } from "../../components/ui/Dialog.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError } from "../../lib/errors.ts";
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
    <Dialog
      open={host !== null}
      onClose={close}
      dismissible={!remove.isPending}
      title={`Remove the ${host?.host ?? ""} credential?`}
      description="Studio can then no longer reach private repositories on this host until a credential is added again."
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={remove.isPending}>
            Cancel
          </Button>
          <Button
            variant="danger"
            pending={remove.isPending}
            onClick={() => host && remove.mutate({ host: host.host })}
          >
            Remove credential
          </Button>
        </>
      }
    >
      {remove.error ? (
        <Alert>{describeError(remove.error).message}</Alert>
      ) : (
        <p className="text-[13px] text-fg-muted">
          The token <span className="font-mono text-fg">{host ? maskedToken(host) : ""}</span> is deleted from
          Studio. Revoke it at the host too if it is no longer needed.
        </p>
      )}
    </Dialog>
  );
}
