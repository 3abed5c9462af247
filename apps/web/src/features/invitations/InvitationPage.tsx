import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowRight, Link2Off } from "lucide-react";
import { Link, useNavigate, useParams } from "react-router";
import { Alert } from "../../components/ui/Alert.tsx";
import { Avatar } from "../../components/ui/Avatar.tsx";
import { Badge } from "../../components/ui/Badge.tsx";
import { Button, buttonClasses } from "../../components/ui/Button.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { PageSpinner } from "../../components/ui/Spinner.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError, errorCode } from "../../lib/errors.ts";
import { roleLabel } from "../../lib/format.ts";
import { type Me, type RouterOutputs, useTRPC } from "../../lib/trpc.ts";
import { AuthLayout } from "../auth/AuthLayout.tsx";
import { authHref } from "../auth/auth-links.ts";
import { invitationStatusTone } from "./InvitationsCard.tsx";

type Preview = RouterOutputs["invitations"]["preview"];

const closedCopy = {
  accepted: {
    title: "Invitation already accepted",
    body: "This link has been used. If that was you, you're already in.",
  },
  revoked: {
    title: "Invitation revoked",
    body: "This invitation was withdrawn. Ask the person who invited you for a new link.",
  },
  expired: {
    title: "Invitation expired",
    body: "Invitation links work for 7 days. Ask the person who invited you for a new one.",
  },
} as const;

export function InvitationPage() {
  const { token = "" } = useParams();
  const trpc = useTRPC();
  const preview = useQuery(trpc.invitations.preview.queryOptions({ token }));
  const me = useQuery(trpc.auth.me.queryOptions());

  if (preview.isPending || me.isPending) {
    return (
      <AuthLayout title="Invitation">
        <PageSpinner label="Loading invitation" />
      </AuthLayout>
    );
  }
  if (preview.isError) {
    const code = errorCode(preview.error);
    return (
      <AuthLayout title="Invitation">
        {code === "NOT_FOUND" || code === "BAD_REQUEST" ? (
          <EmptyState
            icon={Link2Off}
            title="This invitation link doesn't work"
            description="It may be incomplete or mistyped. Open the link from your invitation again, or ask for a new one."
            spacing="compact"
          />
        ) : (
          <ErrorState
            error={preview.error}
            onRetry={() => void preview.refetch()}
            title="Couldn't load the invitation"
          />
        )}
      </AuthLayout>
    );
  }

  const invitation = preview.data;
  return (
    <AuthLayout
      title={`Join ${invitation.organizationName}`}
      subtitle="You've been invited to a Studio organisation."
    >
      <div className="space-y-5">
        <InvitationSummary invitation={invitation} />
        <InvitationActions invitation={invitation} token={token} me={me.data ?? null} />
      </div>
    </AuthLayout>
  );
}

function InvitationSummary({ invitation }: { invitation: Preview }) {
  const rows = [
    ["Organisation", invitation.organizationName],
    ["Invited by", invitation.invitedBy],
    ["Role", roleLabel(invitation.role)],
    ["For", invitation.email],
  ] as const;
  return (
    <div className="space-y-4">
      <div className="flex items-center gap-3">
        <Avatar name={invitation.organizationName} square size="lg" />
        <p className="text-[13px] text-fg-muted">
          <span className="font-medium text-fg">{invitation.invitedBy}</span> invited you to join{" "}
          <span className="font-medium text-fg">{invitation.organizationName}</span> as{" "}
          {roleLabel(invitation.role).toLowerCase()}.
        </p>
      </div>
      <dl className="divide-y divide-line rounded-lg border border-line text-[13px]">
        {rows.map(([label, value]) => (
          <div key={label} className="flex items-center justify-between gap-4 px-3 py-2">
            <dt className="text-fg-muted">{label}</dt>
            <dd className="truncate font-medium text-fg">{value}</dd>
          </div>
        ))}
        <div className="flex items-center justify-between gap-4 px-3 py-2">
          <dt className="text-fg-muted">Status</dt>
          <dd>
            <Badge tone={invitationStatusTone[invitation.status]}>
              {invitation.status[0]?.toUpperCase()}
              {invitation.status.slice(1)}
            </Badge>
          </dd>
        </div>
      </dl>
    </div>
  );
}

function InvitationActions({ invitation, token, me }: { invitation: Preview; token: string; me: Me | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const here = `/invite/${token}`;
  const accept = useMutation(
    trpc.invitations.accept.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        toast.show(`Welcome to ${invitation.organizationName}.`);
        navigate("/", { replace: true });
      },
    }),
  );
  const switchAccount = useMutation(
    trpc.auth.signOut.mutationOptions({
      onSuccess: () => {
        queryClient.clear();
        navigate(authHref("/sign-in", { next: here, email: invitation.email }));
      },
    }),
  );

  if (invitation.status !== "pending") {
    const copy = closedCopy[invitation.status];
    return (
      <div className="space-y-4">
        <Alert tone={invitation.status === "accepted" ? "info" : "warning"} title={copy.title}>
          {copy.body}
        </Alert>
        {me ? (
          <Link to="/" className={buttonClasses("secondary", "md", "w-full")}>
            Go to Studio
          </Link>
        ) : null}
      </div>
    );
  }

  if (!me) {
    return (
      <div className="space-y-3">
        <p className="text-[13px] text-fg-muted">
          Sign in or create an account with <span className="font-medium text-fg">{invitation.email}</span> to
          accept.
        </p>
        <div className="grid gap-2 sm:grid-cols-2">
          <Link
            to={authHref("/sign-up", { next: here, email: invitation.email })}
            className={buttonClasses("primary")}
          >
            Create account
          </Link>
          <Link
            to={authHref("/sign-in", { next: here, email: invitation.email })}
            className={buttonClasses("secondary")}
          >
            Sign in
          </Link>
        </div>
      </div>
    );
  }

  if (me.user.email !== invitation.email) {
    return (
      <div className="space-y-4">
        <Alert tone="warning" title="This invitation is for another account">
          You're signed in as {me.user.email}, but it was sent to {invitation.email}. Switch to that account
          to accept it.
        </Alert>
        {switchAccount.error ? <Alert>{describeError(switchAccount.error).message}</Alert> : null}
        <Button
          variant="secondary"
          className="w-full"
          pending={switchAccount.isPending}
          onClick={() => switchAccount.mutate()}
        >
          Sign out and switch account
        </Button>
      </div>
    );
  }

  return (
    <div className="space-y-3">
      {accept.error ? <Alert>{describeError(accept.error).message}</Alert> : null}
      <Button
        className="w-full"
        pending={accept.isPending}
        icon={<ArrowRight />}
        onClick={() => accept.mutate({ token })}
      >
        Accept invitation
      </Button>
      <p className="text-center text-xs text-fg-muted">Signed in as {me.user.email}</p>
    </div>
  );
}
