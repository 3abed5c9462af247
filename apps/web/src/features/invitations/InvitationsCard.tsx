import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { MailPlus } from "lucide-react";
import { Badge, type BadgeTone } from "../../components/ui/Badge.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Card, CardBody, CardHeader } from "../../components/ui/Card.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { SkeletonRows } from "../../components/ui/Skeleton.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError } from "../../lib/errors.ts";
import { formatRelative, roleLabel } from "../../lib/format.ts";
import { type RouterOutputs, useTRPC } from "../../lib/trpc.ts";
import { InviteForm } from "./InviteForm.tsx";

type Invitation = RouterOutputs["invitations"]["list"][number];

export const invitationStatusTone: Record<Invitation["status"], BadgeTone> = {
  pending: "warning",
  accepted: "success",
  revoked: "neutral",
  expired: "neutral",
};

const statusLabel: Record<Invitation["status"], string> = {
  pending: "Pending",
  accepted: "Accepted",
  revoked: "Revoked",
  expired: "Expired",
};

export function InvitationsCard() {
  const trpc = useTRPC();
  const invitations = useQuery(trpc.invitations.list.queryOptions());

  return (
    <Card aria-labelledby="invitations-heading">
      <CardHeader
        id="invitations-heading"
        title="Invitations"
        description="Invite people by email. They join with the role you pick once they accept."
      />
      <CardBody>
        <InviteForm />
      </CardBody>
      <div className="border-t border-line">
        {invitations.isPending ? (
          <SkeletonRows label="Loading invitations" rows={2} />
        ) : invitations.isError ? (
          <ErrorState
            error={invitations.error}
            onRetry={() => void invitations.refetch()}
            title="Couldn't load invitations"
          />
        ) : invitations.data.length === 0 ? (
          <EmptyState
            icon={MailPlus}
            title="No invitations yet"
            description="Invitations you send appear here with their status."
            spacing="compact"
          />
        ) : (
          <ul aria-label="Invitations" className="divide-y divide-line">
            {invitations.data.map((invitation) => (
              <InvitationRow key={invitation.id} invitation={invitation} />
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}

function InvitationRow({ invitation }: { invitation: Invitation }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const revoke = useMutation(
    trpc.invitations.revoke.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.invitations.list.queryKey() });
        toast.show(`Invitation for ${invitation.email} revoked.`);
      },
      onError: (error) =>
        toast.show(describeError(error).message ?? "Couldn't revoke the invitation.", "danger"),
    }),
  );
  const pending = invitation.status === "pending";
  const when = pending
    ? `expires ${formatRelative(invitation.expiresAt)}`
    : `sent ${formatRelative(invitation.createdAt)}`;

  return (
    <li className="flex flex-wrap items-center gap-x-4 gap-y-2 px-5 py-3 text-[13px]">
      <div className="min-w-0 flex-1">
        <p className="truncate font-medium text-fg">{invitation.email}</p>
        <p className="truncate text-fg-muted">
          {roleLabel(invitation.role)} · invited by {invitation.invitedBy} · {when}
        </p>
      </div>
      <Badge tone={invitationStatusTone[invitation.status]}>{statusLabel[invitation.status]}</Badge>
      {pending ? (
        <Button
          variant="secondary"
          size="sm"
          pending={revoke.isPending}
          onClick={() => revoke.mutate({ invitationId: invitation.id })}
          aria-label={`Revoke invitation for ${invitation.email}`}
        >
          Revoke
        </Button>
      ) : null}
    </li>
  );
}
