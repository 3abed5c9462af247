import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { Building2, Plus, Search } from "lucide-react";
import { useDeferredValue, useState } from "react";
import { Badge } from "../../components/ui/Badge.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Card, CardHeader } from "../../components/ui/Card.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { Input } from "../../components/ui/Input.tsx";
import { LoadMoreButton, LoadMoreError } from "../../components/ui/LoadMore.tsx";
import { SkeletonRows } from "../../components/ui/Skeleton.tsx";
import { UpdatingNote } from "../../components/ui/Spinner.tsx";
import { ACTIONS_COLUMN, type TableColumn, TableHead } from "../../components/ui/Table.tsx";
import { formatUsd } from "../../lib/money.ts";
import { type RouterOutputs, useTRPC } from "../../lib/trpc.ts";
import { CreditsDialog } from "../billing/CreditsDialog.tsx";
import { PlatformAdminsOnly } from "./PlatformAdminsOnly.tsx";

type PlatformOrganization = RouterOutputs["platform"]["organizations"]["organizations"][number];

const ORGANIZATION_COLUMNS: TableColumn[] = [
  { label: "Organisation" },
  { label: "Owners", from: "md" },
  { label: "Members", align: "right", from: "sm" },
  { label: "Credits", align: "right" },
  { label: "Last 30 days", align: "right", from: "sm" },
  ACTIONS_COLUMN,
];

/**
 * Every organisation on the studio, for its platform admins: find one by name or an owner's email
 * and grant or adjust its platform credits. Nothing of an organisation's work is shown here.
 */
export function PlatformOrganizationsPage() {
  return (
    <PlatformAdminsOnly what="see every organisation and grant platform credits">
      <OrganizationsCard />
    </PlatformAdminsOnly>
  );
}

function OrganizationsCard() {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  // Typing stays responsive; the list follows what was typed without a request per key held down.
  const deferredSearch = useDeferredValue(search.trim());
  const [granting, setGranting] = useState<PlatformOrganization | null>(null);
  const list = useInfiniteQuery(
    trpc.platform.organizations.infiniteQueryOptions(
      { search: deferredSearch },
      { getNextPageParam: (page) => page.nextCursor, placeholderData: keepPreviousData },
    ),
  );
  const organizations = list.data?.pages.flatMap((page) => page.organizations) ?? [];
  const updating = list.isFetching && list.isPlaceholderData;

  return (
    <Card aria-labelledby="platform-organizations-heading" aria-busy={updating || undefined}>
      <CardHeader
        id="platform-organizations-heading"
        title="All organisations"
        description="Every organisation on this studio: the platform credits its sessions draw on, and what they used in the last 30 days."
        actions={updating ? <UpdatingNote /> : null}
      />
      <div className="border-b border-line px-4 py-4 sm:px-5">
        <div className="relative max-w-sm">
          <Search
            className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-fg-muted"
            aria-hidden="true"
          />
          <Input
            type="search"
            aria-label="Search organisations by name or owner email"
            placeholder="Name or owner email"
            value={search}
            maxLength={100}
            onChange={(event) => setSearch(event.target.value)}
            style={{ paddingLeft: "2.25rem" }}
          />
        </div>
      </div>
      {list.isPending ? (
        <SkeletonRows label="Loading organisations" rows={4} />
      ) : list.isError ? (
        <ErrorState
          error={list.error}
          onRetry={() => void list.refetch()}
          title="Couldn't load organisations"
        />
      ) : organizations.length === 0 ? (
        <EmptyState
          icon={Building2}
          title="No organisation matches"
          description="Search by part of an organisation's name or of an owner's email address."
        />
      ) : (
        <>
          <OrganizationsTable organizations={organizations} onGrant={setGranting} />
          {list.hasNextPage ? (
            <div className="flex justify-end rounded-b-xl border-t border-line bg-surface-muted/60 px-5 py-3">
              <LoadMoreButton list={list} />
            </div>
          ) : null}
          <LoadMoreError list={list} what="organisations" />
        </>
      )}
      <CreditsDialog organization={granting} onClose={() => setGranting(null)} />
    </Card>
  );
}

function OrganizationsTable({
  organizations,
  onGrant,
}: {
  organizations: PlatformOrganization[];
  onGrant: (organization: PlatformOrganization) => void;
}) {
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-left text-[13px]">
        <TableHead columns={ORGANIZATION_COLUMNS} />
        <tbody className="divide-y divide-line">
          {organizations.map((organization) => (
            <tr key={organization.id} data-testid="platform-organization">
              <td className="py-3 pr-3 pl-4 sm:pl-5">
                <div className="flex min-w-0 items-center gap-2">
                  <span className="max-w-64 truncate font-medium text-fg" title={organization.name}>
                    {organization.name}
                  </span>
                  {organization.personal ? <Badge>Personal</Badge> : null}
                </div>
              </td>
              <td className="hidden px-3 py-3 text-fg-muted md:table-cell">
                {organization.owners.length === 0
                  ? "—"
                  : organization.owners.map((owner) => (
                      <span key={owner.email} title={owner.name} className="block max-w-56 truncate">
                        {owner.email}
                      </span>
                    ))}
              </td>
              <td className="hidden px-3 py-3 text-right tabular-nums sm:table-cell">
                {organization.members}
              </td>
              <td
                className={`px-3 py-3 text-right font-mono tabular-nums ${organization.balanceMicroUsd < 0n ? "text-danger-soft-fg" : "text-fg"}`}
              >
                {formatUsd(organization.balanceMicroUsd)}
              </td>
              <td className="hidden px-3 py-3 text-right font-mono text-fg-muted tabular-nums sm:table-cell">
                {formatUsd(organization.platformSpendMicroUsd)}
              </td>
              <td className="py-3 pr-4 pl-3 text-right sm:pr-5">
                <Button
                  variant="secondary"
                  size="sm"
                  icon={<Plus />}
                  aria-label={`Grant or adjust credits of ${organization.name}`}
                  onClick={() => onGrant(organization)}
                >
                  Credits
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
