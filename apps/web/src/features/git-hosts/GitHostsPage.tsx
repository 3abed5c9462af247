import { useQuery } from "@tanstack/react-query";
import { GitBranch, Plus } from "lucide-react";
import { useState } from "react";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Card, CardHeader } from "../../components/ui/Card.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { SkeletonRows } from "../../components/ui/Skeleton.tsx";
import { isManager } from "../../lib/roles.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { useCurrentUser } from "../auth/current-user.ts";
import { GitHostRow } from "./GitHostRow.tsx";
import type { GitHost } from "./git-hosts.ts";
import { RemoveGitHostDialog } from "./RemoveGitHostDialog.tsx";
import { SetGitHostDialog } from "./SetGitHostDialog.tsx";
import { TestGitHostDialog } from "./TestGitHostDialog.tsx";

/** Which dialog is open: adding a new host, or replacing, removing or testing a stored one. */
type Open =
  | { kind: "add" }
  | { kind: "replace"; host: GitHost }
  | { kind: "remove"; host: GitHost }
  | { kind: "test"; host: GitHost }
  | null;

export function GitHostsPage() {
  const { activeOrganization } = useCurrentUser();
  const manager = activeOrganization ? isManager(activeOrganization.role) : false;
  const trpc = useTRPC();
  const hosts = useQuery(trpc.gitCredentials.list.queryOptions());
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  const addButton = manager ? (
    <Button icon={<Plus />} onClick={() => setOpen({ kind: "add" })}>
      Add host
    </Button>
  ) : null;

  return (
    <Card aria-labelledby="git-hosts-heading">
      <CardHeader
        id="git-hosts-heading"
        title="Git hosts"
        description={`Access tokens ${activeOrganization?.name ?? "this organisation"} uses to reach its repositories, one per host. They are encrypted at rest and never shown again after saving.`}
        actions={hosts.data && hosts.data.length > 0 ? addButton : null}
      />
      {manager ? null : (
        <div className="border-b border-line px-4 py-4 sm:px-5">
          <Alert tone="info" title="Read-only">
            Only owners and admins add, test or remove git hosts. Ask one of them if a repository can't be
            reached.
          </Alert>
        </div>
      )}
      {hosts.isPending ? (
        <SkeletonRows label="Loading git hosts" rows={2} />
      ) : hosts.isError ? (
        <ErrorState
          error={hosts.error}
          onRetry={() => void hosts.refetch()}
          title="Couldn't load git hosts"
        />
      ) : hosts.data.length === 0 ? (
        <EmptyState
          icon={GitBranch}
          title="No git hosts yet"
          description={
            manager
              ? "Add a personal access token for github.com, a GitLab or a self-hosted server so Studio can reach your repositories."
              : "No git host has a credential in this organisation."
          }
          action={addButton}
        />
      ) : (
        <ul aria-label="Git hosts" className="divide-y divide-line">
          {hosts.data.map((host) => (
            <GitHostRow
              key={host.host}
              host={host}
              manage={manager}
              onTest={() => setOpen({ kind: "test", host })}
              onReplace={() => setOpen({ kind: "replace", host })}
              onRemove={() => setOpen({ kind: "remove", host })}
            />
          ))}
        </ul>
      )}
      <SetGitHostDialog
        open={open?.kind === "add" || open?.kind === "replace"}
        existing={open?.kind === "replace" ? open.host : undefined}
        onClose={close}
      />
      <RemoveGitHostDialog host={open?.kind === "remove" ? open.host : null} onClose={close} />
      <TestGitHostDialog host={open?.kind === "test" ? open.host : null} onClose={close} />
    </Card>
  );
}
