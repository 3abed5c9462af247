import { useMutation, useQueryClient } from "@tanstack/react-query";
import { LogOut } from "lucide-react";
import { useState } from "react";
import { useNavigate } from "react-router";
import { Button } from "../../components/ui/Button.tsx";
import { Card, CardBody } from "../../components/ui/Card.tsx";
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
    <Card aria-labelledby="leave-heading" tone="danger">
      <CardBody className="flex flex-wrap items-center justify-between gap-4">
        <div className="space-y-1">
          <h2 id="leave-heading" className="text-[15px] font-semibold text-fg">
            Leave organisation
          </h2>
          <p className="text-[13px] text-fg-muted">
            {personal
              ? "This is your personal workspace. It stays with your account."
              : `You'll lose access to ${activeOrganization.name} until someone invites you again.`}
          </p>
        </div>
        <Button
          variant="danger-outline"
          icon={<LogOut />}
          disabled={personal}
          onClick={() => setConfirming(true)}
        >
          Leave organisation
        </Button>
      </CardBody>
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
    </Card>
  );
}
