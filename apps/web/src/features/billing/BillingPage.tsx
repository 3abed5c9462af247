import { useQuery } from "@tanstack/react-query";
import { Plus, Tags } from "lucide-react";
import { useMemo, useState } from "react";
import { Button } from "../../components/ui/Button.tsx";
import { Card, CardHeader } from "../../components/ui/Card.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { SkeletonRows } from "../../components/ui/Skeleton.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { useSession } from "../auth/session.tsx";
import { BalanceCard } from "./BalanceCard.tsx";
import { EditPriceDialog, type PriceTarget } from "./EditPriceDialog.tsx";
import { PriceTable } from "./PriceTable.tsx";
import { groupPrices, type ModelPrices } from "./prices.ts";

/**
 * Also shown on the usage page, beside the ledger it prices. Platform admins set the active
 * organisation's own prices here: they decide what its platform credits pay.
 */
export function PricesCard() {
  const trpc = useTRPC();
  const manager = useSession().user.platformAdmin;
  const prices = useQuery(trpc.billing.prices.queryOptions());
  // Only for display names; the table works from ids alone when the catalogue is not there.
  const catalog = useQuery(trpc.sessions.catalog.queryOptions());
  const [editing, setEditing] = useState<PriceTarget | null>(null);
  const models = useMemo(() => (prices.data ? groupPrices(prices.data, new Date()) : []), [prices.data]);

  const names = useMemo(() => {
    const map = new Map<string, string>();
    for (const provider of catalog.data?.providers ?? []) {
      for (const model of provider.models) map.set(`${provider.id}/${model.id}`, model.name);
    }
    return map;
  }, [catalog.data]);
  const modelLabel = (entry: Pick<ModelPrices, "provider" | "model">) =>
    names.get(`${entry.provider}/${entry.model}`) ?? entry.model;

  return (
    <Card aria-labelledby="prices-heading">
      <CardHeader
        id="prices-heading"
        title="Model prices"
        description={
          manager
            ? "USD per million tokens. Model calls are charged at the price in force when they happen; as a platform admin you can set this organisation's own price over the list price."
            : "USD per million tokens. Model calls are charged at the price in force when they happen."
        }
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
        <PriceTable models={models} modelLabel={modelLabel} manager={manager} onEdit={setEditing} />
      )}
      {manager ? (
        <EditPriceDialog
          target={editing}
          modelLabel={editing && editing !== "endpoint" ? modelLabel(editing) : ""}
          onClose={() => setEditing(null)}
        />
      ) : null}
    </Card>
  );
}

export function BillingPage() {
  return (
    <div className="space-y-6">
      <BalanceCard />
      <PricesCard />
    </div>
  );
}
