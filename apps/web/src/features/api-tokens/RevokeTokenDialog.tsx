import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
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
    <ConfirmDialog
      open={token !== null}
      onClose={close}
      onConfirm={() => token && revoke.mutate({ tokenId: token.id })}
      pending={revoke.isPending}
      error={revoke.error}
      title={`Revoke ${token?.name ?? "token"}?`}
      description="Programs using this token stop working immediately. This can't be undone."
      note="Create a new token if something still needs access."
      confirmLabel="Revoke token"
    />
  );
}
