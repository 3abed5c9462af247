import { isManager } from "../../lib/roles.ts";
import { WebhookSettings } from "../alerts/WebhookSettings.tsx";
import { useCurrentUser } from "../auth/current-user.ts";
import { BudgetAlertsCard } from "./BudgetAlertsCard.tsx";
import { BudgetsCard } from "./BudgetsCard.tsx";
import { LimitsCard } from "./LimitsCard.tsx";
import { MyBudgetsCard } from "./MyBudgetsCard.tsx";

/**
 * Settings → Budgets & limits. Owners and admins see and change every budget, the alerts crossed,
 * the alert webhook and the organisation's limits; members see the budgets covering them.
 */
export function BudgetsPage() {
  const { activeOrganization } = useCurrentUser();
  const manager = activeOrganization ? isManager(activeOrganization.role) : false;
  if (!manager) return <MyBudgetsCard />;
  return (
    <div className="space-y-6">
      <BudgetsCard />
      <BudgetAlertsCard />
      {/* Alert webhook: Slack-compatible, signed deliveries with their log (features/alerts). */}
      <WebhookSettings />
      <LimitsCard />
    </div>
  );
}
