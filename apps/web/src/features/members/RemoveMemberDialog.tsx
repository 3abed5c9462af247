import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Dialog } from "../../components/ui/Dialog.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError } from "../../lib/errors.ts";
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
    <Dialog
      open={member !== null}
      onClose={close}
      dismissible={!remove.isPending}
      title={`Remove ${member?.name ?? "member"}?`}
      description={`${member?.email ?? "They"} will lose access to ${activeOrganization?.name ?? "this organisation"}, and their API tokens for it stop working.`}
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={remove.isPending}>
            Cancel
          </Button>
          <Button
            variant="danger"
            pending={remove.isPending}
            onClick={() => member && remove.mutate({ userId: member.userId })}
          >
            Remove member
          </Button>
        </>
      }
    >
      {remove.error ? (
        <Alert>{describeError(remove.error).message}</Alert>
      ) : (
        <p className="text-[13px] text-fg-muted">You can invite them again later.</p>
      )}
    </Dialog>
  );
}
