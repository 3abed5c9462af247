import { useMutation, useQueryClient } from "@tanstack/react-query";
import { LogOut } from "lucide-react";
import { useState } from "react";
import { useNavigate } from "react-router";
import { Button } from "../../components/ui/Button.tsx";
import { DangerCard } from "../../components/ui/Card.tsx";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { useCurrentUser } from "../auth/current-user.ts";

export function LeaveOrganizationCard() {
  const { activeOrganization } = useCurrentUser();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const leave = useMutation(
    trpc.members.leave.mutationOptions({
      onSuccess: async () => {
        // The server moves this session to another organisation; every scoped view must reload.
        await queryClient.invalidateQueries();
        toast.show(`You left ${activeOrganization?.name ?? "the organisation"}.`);
        setConfirming(false);
        navigate("/", { replace: true });
      },
    }),
  );
  if (!activeOrganization) return null;
  const personal = activeOrganization.personal;

  return (
    <DangerCard
      id="leave-heading"
      title="Leave organisation"
      description={
        personal
          ? "This is your personal workspace. It stays with your account."
          : `You'll lose access to ${activeOrganization.name} until someone invites you again.`
      }
      action={
        <Button
          variant="danger-outline"
          icon={<LogOut />}
          disabled={personal}
          onClick={() => setConfirming(true)}
        >
          Leave organisation
        </Button>
      }
    >
      <ConfirmDialog
        open={confirming}
        onClose={() => {
          leave.reset();
          setConfirming(false);
        }}
        onConfirm={() => leave.mutate()}
        pending={leave.isPending}
        error={leave.error}
        title={`Leave ${activeOrganization.name}?`}
        description="Your API tokens for this organisation are revoked. Your other organisations are not affected."
        note="You'll switch to another organisation you belong to."
        confirmLabel="Leave organisation"
      />
    </DangerCard>
  );
}
