import { BalanceCard } from "./BalanceCard.tsx";
import { PricesCard } from "./PricesCard.tsx";

export function BillingPage() {
  return (
    <div className="space-y-6">
      <BalanceCard />
      <PricesCard />
    </div>
  );
}
