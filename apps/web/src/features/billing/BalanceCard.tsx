import { useQuery } from "@tanstack/react-query";
import { Plus, Wallet } from "lucide-react";
import { useState } from "react";
import { Badge } from "../../components/ui/Badge.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Card, CardBody, CardHeader } from "../../components/ui/Card.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { Skeleton } from "../../components/ui/Skeleton.tsx";
import { formatUsd } from "../../lib/money.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { useCurrentUser } from "../auth/current-user.ts";
import { CreditsDialog } from "./CreditsDialog.tsx";

/** The active organisation's credits; the studio's platform admins can change them from here. */
export function BalanceCard() {
  const trpc = useTRPC();
  const { user, activeOrganization } = useCurrentUser();
  const canChange = user.platformAdmin && activeOrganization !== null;
  const balance = useQuery(trpc.billing.balance.queryOptions());
  const [changing, setChanging] = useState(false);
  const low = balance.data ? balance.data.balanceMicroUsd < balance.data.minimumToStartMicroUsd : false;

  return (
    <Card aria-labelledby="balance-heading">
      <CardHeader
        id="balance-heading"
        title="Platform credits"
        description="What sessions without a key of the organisation's own are paid from."
        actions={
          canChange ? (
            <Button variant="secondary" icon={<Plus />} onClick={() => setChanging(true)}>
              Grant or adjust
            </Button>
          ) : null
        }
      />
      {balance.isPending ? (
        <CardBody role="status" aria-label="Loading balance" className="space-y-2">
          <Skeleton className="h-8 w-40" />
          <Skeleton className="h-4 w-64" />
        </CardBody>
      ) : balance.isError ? (
        <ErrorState
          error={balance.error}
          onRetry={() => void balance.refetch()}
          title="Couldn't load the balance"
        />
      ) : (
        <CardBody className="flex items-start gap-4">
          <span className="flex size-10 shrink-0 items-center justify-center rounded-xl border border-line bg-surface-muted text-fg-muted">
            <Wallet className="size-5" aria-hidden="true" />
          </span>
          <div className="min-w-0 space-y-1">
            <dl>
              <dt className="text-[13px] text-fg-muted">Balance</dt>
              <dd className="flex flex-wrap items-center gap-2">
                <span
                  data-testid="credit-balance"
                  className="font-mono text-2xl font-semibold tracking-tight text-fg tabular-nums"
                >
                  {formatUsd(balance.data.balanceMicroUsd)}
                </span>
                {low ? <Badge tone="warning">Too low to start a session</Badge> : null}
              </dd>
            </dl>
            <p className="text-[13px] text-fg-muted">
              A session on platform credits needs at least {formatUsd(balance.data.minimumToStartMicroUsd)} to
              start; each model call is charged as it happens.
              {canChange ? null : " The studio's platform admins add credits."}
            </p>
          </div>
        </CardBody>
      )}
      {canChange ? (
        <CreditsDialog
          organization={changing ? activeOrganization : null}
          onClose={() => setChanging(false)}
        />
      ) : null}
    </Card>
  );
}
