import { Badge } from "../../components/ui/Badge.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { ACTIONS_COLUMN, type TableColumn, TableHead } from "../../components/ui/Table.tsx";
import { formatDate, formatDateTime, formatRelative } from "../../lib/format.ts";
import type { ApiToken } from "./ApiTokensPage.tsx";

type TokenStatus = "active" | "revoked" | "expired";

function tokenStatus(token: ApiToken, now: Date): TokenStatus {
  if (token.revokedAt) return "revoked";
  if (token.expiresAt && token.expiresAt <= now) return "expired";
  return "active";
}

const statusBadge = {
  active: <Badge tone="success">Active</Badge>,
  revoked: <Badge>Revoked</Badge>,
  expired: <Badge tone="warning">Expired</Badge>,
};

function When({ date, empty }: { date: Date | null; empty: string }) {
  if (!date) return <span className="text-fg-subtle">{empty}</span>;
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)}>
      {formatRelative(date)}
    </time>
  );
}

const TOKEN_COLUMNS: TableColumn[] = [
  { label: "Name" },
  { label: "Created", from: "sm" },
  { label: "Last used", from: "md" },
  { label: "Expires", from: "md" },
  { label: "Status" },
  ACTIONS_COLUMN,
];

export function ApiTokensTable({
  tokens,
  onRevoke,
}: {
  tokens: ApiToken[];
  onRevoke: (token: ApiToken) => void;
}) {
  const now = new Date();
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-left text-[13px]">
        <TableHead columns={TOKEN_COLUMNS} />
        <tbody className="divide-y divide-line">
          {tokens.map((token) => {
            const status = tokenStatus(token, now);
            return (
              <tr key={token.id} className={status === "active" ? undefined : "text-fg-muted"}>
                <td className="py-3 pr-3 pl-4 sm:pl-5">
                  <p className="font-medium text-fg">{token.name}</p>
                  <p className="text-xs text-fg-muted sm:hidden">Created {formatDate(token.createdAt)}</p>
                </td>
                <td className="hidden px-3 py-3 text-fg-muted sm:table-cell">
                  {formatDate(token.createdAt)}
                </td>
                <td className="hidden px-3 py-3 text-fg-muted md:table-cell">
                  <When date={token.lastUsedAt} empty="Never used" />
                </td>
                <td className="hidden px-3 py-3 text-fg-muted md:table-cell">
                  {token.expiresAt ? (
                    formatDate(token.expiresAt)
                  ) : (
                    <span className="text-fg-subtle">Never</span>
                  )}
                </td>
                <td className="px-3 py-3">{statusBadge[status]}</td>
                <td className="py-3 pr-4 pl-3 text-right sm:pr-5">
                  {status === "active" ? (
                    <Button
                      variant="secondary"
                      size="sm"
                      onClick={() => onRevoke(token)}
                      aria-label={`Revoke ${token.name}`}
                    >
                      Revoke
                    </Button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
