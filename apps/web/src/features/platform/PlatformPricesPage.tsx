import { PricesCard } from "../billing/PricesCard.tsx";
import { PlatformAdminsOnly } from "./PlatformAdminsOnly.tsx";

/** The platform's list prices: what every organisation without its own price is charged. */
export function PlatformPricesPage() {
  return (
    <PlatformAdminsOnly what="change the platform's list prices">
      <PricesCard scope="list" />
    </PlatformAdminsOnly>
  );
}
