import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { useCurrentUser } from "../auth/current-user.ts";
import type { Member } from "./MembersCard.tsx";

export function RemoveMemberDialog({ member, onClose }: { member: Member | null; onClose: () => void }) {
  const { activeOrganization } = useCurrentUser();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const remove = useMutation(
    trpc.members.remove.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
        toast.show(`${member?.name ?? "The member"} was removed.`);
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
      open={member !== null}
      onClose={close}
      onConfirm={() => member && remove.mutate({ userId: member.userId })}
      pending={remove.isPending}
      error={remove.error}
      title={`Remove ${member?.name ?? "member"}?`}
      description={`${member?.email ?? "They"} will lose access to ${activeOrganization?.name ?? "this organisation"}, and their API tokens for it stop working.`}
      note="You can invite them again later."
      confirmLabel="Remove member"
    />
  );
}
