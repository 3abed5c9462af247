import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Dialog } from "../../components/ui/Dialog.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import type { ApiToken } from "./ApiTokensPage.tsx";

export function RevokeTokenDialog({ token, onClose }: { token: ApiToken | null; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const revoke = useMutation(
    trpc.apiTokens.revoke.mutationOptions({
      onSuccess: async (revoked) => {
        await queryClient.invalidateQueries({ queryKey: trpc.apiTokens.list.queryKey() });
        toast.show(`${revoked.name} was revoked.`);
        close();
      },
    }),
  );

  function close() {
    revoke.reset();
    onClose();
  }

  return (
    <Dialog
      open={token !== null}
      onClose={close}
      dismissible={!revoke.isPending}
      title={`Revoke ${token?.name ?? "token"}?`}
      description="Programs using this token stop working immediately. This can't be undone."
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={revoke.isPending}>
            Cancel
          </Button>
          <Button
            variant="danger"
            pending={revoke.isPending}
            onClick={() => token && revoke.mutate({ tokenId: token.id })}
          >
            Revoke token
          </Button>
        </>
      }
    >
      {revoke.error ? (
        <Alert>{describeError(revoke.error).message}</Alert>
      ) : (
        <p className="text-[13px] text-fg-muted">Create a new token if something still needs access.</p>
      )}
    </Dialog>
  );
}
