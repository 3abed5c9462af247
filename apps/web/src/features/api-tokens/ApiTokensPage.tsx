import { useQuery } from "@tanstack/react-query";
import { KeyRound, Plus } from "lucide-react";
import { useState } from "react";
import { Button } from "../../components/ui/Button.tsx";
import { Card, CardHeader } from "../../components/ui/Card.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { SkeletonRows } from "../../components/ui/Skeleton.tsx";
import { type RouterOutputs, useTRPC } from "../../lib/trpc.ts";
import { useCurrentUser } from "../auth/current-user.ts";
import { ApiTokensTable } from "./ApiTokensTable.tsx";
import { CreateTokenDialog } from "./CreateTokenDialog.tsx";
import { RevokeTokenDialog } from "./RevokeTokenDialog.tsx";

export type ApiToken = RouterOutputs["apiTokens"]["list"][number];

export function ApiTokensPage() {
  const { activeOrganization } = useCurrentUser();
  const trpc = useTRPC();
  const tokens = useQuery(trpc.apiTokens.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const createButton = (
    <Button icon={<Plus />} onClick={() => setCreating(true)}>
      Create token
    </Button>
  );

  return (
    <Card aria-labelledby="tokens-heading">
      <CardHeader
        id="tokens-heading"
        title="API tokens"
        description={`Personal tokens let scripts and the Studio client act as you in ${activeOrganization?.name ?? "this organisation"}.`}
        actions={tokens.data && tokens.data.length > 0 ? createButton : null}
      />
      {tokens.isPending ? (
        <SkeletonRows label="Loading API tokens" rows={2} />
      ) : tokens.isError ? (
        <ErrorState
          error={tokens.error}
          onRetry={() => void tokens.refetch()}
          title="Couldn't load API tokens"
        />
      ) : tokens.data.length === 0 ? (
        <EmptyState
          icon={KeyRound}
          title="No API tokens yet"
          description="Create a token to call the Studio API from scripts, CI or your own tools."
          action={createButton}
        />
      ) : (
        <ApiTokensTable tokens={tokens.data} onRevoke={setRevoking} />
      )}
      <CreateTokenDialog open={creating} onClose={() => setCreating(false)} />
      <RevokeTokenDialog token={revoking} onClose={() => setRevoking(null)} />
    </Card>
  );
}
