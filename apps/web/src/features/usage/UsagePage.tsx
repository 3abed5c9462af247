import { skipToken, useQuery } from "@tanstack/react-query";
import { Download, FilterX } from "lucide-react";
import { useId } from "react";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button, buttonClasses } from "../../components/ui/Button.tsx";
import { PageHeader } from "../../components/ui/PageHeader.tsx";
import { cn } from "../../lib/cn.ts";
import { isManager } from "../../lib/roles.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { useCurrentUser } from "../auth/current-user.ts";
import { BalanceCard } from "../billing/BalanceCard.tsx";
import { PricesCard } from "../billing/PricesCard.tsx";
import { BudgetSpendCard } from "./BudgetSpendCard.tsx";
import { EntriesCard } from "./EntriesCard.tsx";
import { SummaryCard } from "./SummaryCard.tsx";
import { TotalsCard } from "./TotalsCard.tsx";
import { UsageFilters } from "./UsageFilters.tsx";
import { csvFileName, csvHref, hasNarrowingFilters, type Scope } from "./usage-view.ts";
import { useUsageView } from "./use-usage-view.ts";

const scopes: { value: Scope; label: string }[] = [
  { value: "organization", label: "Organisation" },
  { value: "mine", label: "Mine" },
];

/** Organisation or own entries, as radio buttons: arrow keys switch, screen readers say which is on. */
function ScopeSwitch({ scope, onChange }: { scope: Scope; onChange: (scope: Scope) => void }) {
  const name = useId();
  return (
    <fieldset className="inline-flex items-center gap-0.5 rounded-lg border border-line bg-surface-muted p-0.5">
      <legend className="sr-only">Whose usage</legend>
      {scopes.map((option) => (
        <label
          key={option.value}
          className={cn(
            "flex h-8 cursor-pointer items-center rounded-md px-3 text-[13px] font-medium text-fg-muted transition-colors hover:text-fg",
            "has-checked:bg-surface has-checked:text-fg has-checked:shadow-soft",
            "has-focus-visible:outline-2 has-focus-visible:outline-ring",
          )}
        >
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={scope === option.value}
            onChange={() => onChange(option.value)}
            className="sr-only"
          />
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}

export function UsagePage() {
  const trpc = useTRPC();
  const { activeOrganization } = useCurrentUser();
  const manager = activeOrganization ? isManager(activeOrganization.role) : false;
  const { view, result, update } = useUsageView(manager);
  const filter = result.ok ? result.filter : null;
  const organization = view.scope === "organization";
  // Totals are shared with the entries card (cached by the same key) for its "x of y" line.
  const totals = useQuery(trpc.usage.totals.queryOptions(filter ? { filter } : skipToken));
  const session = useQuery(
    trpc.sessions.get.queryOptions(view.sessionId ? { sessionId: view.sessionId } : skipToken, {
      retry: false,
    }),
  );

  const clearFilters = () =>
    update({ userId: null, sessionId: null, provider: null, model: null, keySource: null, kinds: [] });
  const narrowed = hasNarrowingFilters(view);

  return (
    <div className="space-y-6">
      <PageHeader
        title={manager ? "Usage" : "My usage"}
        description={
          organization
            ? `What ${activeOrganization?.name ?? "the organisation"} spent on models, call by call, with credits added and adjusted.`
            : "Your own model calls, call by call: tokens, what they cost and what was charged to credits."
        }
        actions={
          <div className="flex flex-wrap items-center gap-2">
            {manager ? <ScopeSwitch scope={view.scope} onChange={(scope) => update({ scope })} /> : null}
            {result.ok ? (
              <a
                href={csvHref(result.filter)}
                download={csvFileName(view, result.firstDay, result.endDay)}
                className={buttonClasses("secondary")}
              >
                <Download aria-hidden="true" />
                Export CSV
              </a>
            ) : (
              <Button variant="secondary" icon={<Download />} disabled>
                Export CSV
              </Button>
            )}
          </div>
        }
      />

      {organization ? <BalanceCard /> : null}

      <BudgetSpendCard manager={manager} />

      <UsageFilters
        view={view}
        result={result}
        onChange={update}
        sessionTitle={session.data ? (session.data.title ?? "Untitled session") : null}
      />

      {result.ok ? (
        <>
          <TotalsCard filter={filter} />
          <SummaryCard
            filter={filter}
            scope={view.scope}
            firstDay={result.firstDay}
            endDay={result.endDay}
            group={view.group}
            onGroupChange={(group) => update({ group })}
          />
          <EntriesCard
            filter={filter}
            scope={view.scope}
            total={totals.data?.count}
            onFilterSession={(sessionId) => update({ sessionId })}
            emptyAction={
              narrowed ? (
                <Button variant="secondary" icon={<FilterX />} onClick={clearFilters}>
                  Clear filters
                </Button>
              ) : null
            }
          />
        </>
      ) : (
        <Alert tone="warning" title="Choose a valid period">
          {result.message} Nothing is loaded until the custom range is complete.
        </Alert>
      )}

      {organization ? <PricesCard /> : null}
    </div>
  );
}
