import { useMutation, useQueryClient } from "@tanstack/react-query";
import { LogOut } from "lucide-react";
import { useState } from "react";
import { useNavigate } from "react-router";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Card, CardBody } from "../../components/ui/Card.tsx";
import { Dialog } from "../../components/ui/Dialog.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError } from "../../lib/errors.ts";
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
      <Dialog
        open={confirming}
        onClose={() => {
          leave.reset();
          setConfirming(false);
        }}
        dismissible={!leave.isPending}
        title={`Leave ${activeOrganization.name}?`}
        description="Your API tokens for this organisation are revoked. Your other organisations are not affected."
        footer={
          <>
            <Button variant="secondary" onClick={() => setConfirming(false)} disabled={leave.isPending}>
              Cancel
            </Button>
            <Button variant="danger" pending={leave.isPending} onClick={() => leave.mutate()}>
              Leave organisation
            </Button>
          </>
        }
      >
        {leave.error ? (
          <Alert>{describeError(leave.error).message}</Alert>
        ) : (
          <p className="text-[13px] text-fg-muted">You'll switch to another organisation you belong to.</p>
        )}
      </Dialog>
    </Card>
  );
}
