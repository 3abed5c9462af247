import { useQuery } from "@tanstack/react-query";
import { Plus, Tags } from "lucide-react";
import { useMemo, useState } from "react";
import { Button } from "../../components/ui/Button.tsx";
import { Card, CardHeader } from "../../components/ui/Card.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { SkeletonRows } from "../../components/ui/Skeleton.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { useCurrentUser } from "../auth/current-user.ts";
import { EditPriceDialog, type PriceTarget } from "./EditPriceDialog.tsx";
import { PriceTable } from "./PriceTable.tsx";
import { groupPrices, type ModelPrices } from "./prices.ts";

/**
 * Whose prices: the active organisation's (the list prices and its own, what it is charged), or
 * the platform's list prices alone, which platform admins change for every organisation at once.
 */
export type PriceScope = "organization" | "list";

function describeScope(scope: PriceScope, manager: boolean): string {
  if (scope === "list")
    return "USD per million tokens, charged to every organisation that has no price of its own for the model. A change applies from its effective date; earlier calls keep the price they were charged.";
  return manager
    ? "USD per million tokens. Model calls are charged at the price in force when they happen; as a platform admin you can set this organisation's own price over the list price."
    : "USD per million tokens. Model calls are charged at the price in force when they happen.";
}

function usePrices(scope: PriceScope) {
  const trpc = useTRPC();
  const organization = useQuery({ ...trpc.billing.prices.queryOptions(), enabled: scope === "organization" });
  const list = useQuery({ ...trpc.platform.listPrices.queryOptions(), enabled: scope === "list" });
  return scope === "organization" ? organization : list;
}

/** Display names from the studio's catalogue; the table works from ids alone when it is not there. */
function useModelLabel() {
  const trpc = useTRPC();
  const catalog = useQuery(trpc.sessions.catalog.queryOptions());
  const names = useMemo(() => {
    const map = new Map<string, string>();
    for (const provider of catalog.data?.providers ?? []) {
      for (const model of provider.models) map.set(`${provider.id}/${model.id}`, model.name);
    }
    return map;
  }, [catalog.data]);
  return (entry: Pick<ModelPrices, "provider" | "model">) =>
    names.get(`${entry.provider}/${entry.model}`) ?? entry.model;
}

/** Also shown on the usage page, beside the ledger it prices. */
export function PricesCard({ scope = "organization" }: { scope?: PriceScope }) {
  const { user, activeOrganization } = useCurrentUser();
  const manager = user.platformAdmin;
  const prices = usePrices(scope);
  const modelLabel = useModelLabel();
  const [editing, setEditing] = useState<PriceTarget | null>(null);
  const models = useMemo(() => (prices.data ? groupPrices(prices.data, new Date()) : []), [prices.data]);
  const organizationId = scope === "list" ? null : (activeOrganization?.id ?? null);

  return (
    <Card aria-labelledby={`prices-heading-${scope}`}>
      <CardHeader
        id={`prices-heading-${scope}`}
        title={scope === "list" ? "List prices" : "Model prices"}
        description={describeScope(scope, manager)}
        actions={
          manager ? (
            <Button variant="secondary" icon={<Plus />} onClick={() => setEditing("endpoint")}>
              Price an endpoint model
            </Button>
          ) : null
        }
      />
      {prices.isPending ? (
        <SkeletonRows label="Loading prices" rows={4} />
      ) : prices.isError ? (
        <ErrorState error={prices.error} onRetry={() => void prices.refetch()} title="Couldn't load prices" />
      ) : models.length === 0 ? (
        <EmptyState
          icon={Tags}
          title="No prices yet"
          description="The platform's list prices appear here once the studio has loaded them."
        />
      ) : (
        <PriceTable
          models={models}
          modelLabel={modelLabel}
          manager={manager}
          onEdit={setEditing}
          listOnly={scope === "list"}
        />
      )}
      {manager && (scope === "list" || organizationId) ? (
        <EditPriceDialog
          target={editing}
          organizationId={organizationId}
          modelLabel={editing && editing !== "endpoint" ? modelLabel(editing) : ""}
          onClose={() => setEditing(null)}
        />
      ) : null}
    </Card>
  );
}
