import { FlaskConical, GitBranch, Pencil, Trash2 } from "lucide-react";
import { Button } from "../../components/ui/Button.tsx";
import { formatDateTime, formatRelative } from "../../lib/format.ts";
import { type GitHost, maskedToken } from "./git-hosts.ts";

function When({ date }: { date: Date }) {
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)}>
      {formatRelative(date)}
    </time>
  );
}

export function GitHostRow({
  host,
  manage,
  onTest,
  onReplace,
  onRemove,
}: {
  host: GitHost;
  /** Owners and admins; members see the row without actions. */
  manage: boolean;
  onTest: () => void;
  onReplace: () => void;
  onRemove: () => void;
}) {
  const headingId = `git-host-${host.host.replace(/[^a-z0-9]+/g, "-")}-heading`;
  // Visible text stays short; the host is read out too, so each button names its row.
  const named = (verb: string) => (
    <>
      {verb}
      <span className="sr-only"> {host.host}</span>
    </>
  );
  return (
    <li aria-labelledby={headingId} className="flex flex-col gap-3 px-4 py-4 sm:flex-row sm:px-5">
      <div
        aria-hidden="true"
        className="flex size-9 shrink-0 items-center justify-center rounded-lg border border-line bg-surface-muted text-fg-muted"
      >
        <GitBranch className="size-4" />
      </div>
      <div className="min-w-0 flex-1 space-y-1.5">
        <h3 id={headingId} className="font-mono text-sm font-semibold break-all text-fg">
          {host.host}
        </h3>
        <dl className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-fg-muted">
          <div className="flex gap-1">
            <dt>Token</dt>
            <dd className="font-mono text-fg" data-testid="masked-token">
              {maskedToken(host)}
            </dd>
          </div>
          <div className="flex min-w-0 gap-1">
            <dt>User name</dt>
            <dd className="min-w-0 break-all text-fg">{host.username ?? "any (token only)"}</dd>
          </div>
          <div className="flex gap-1">
            <dt>Added</dt>
            <dd>
              <When date={host.updatedAt} /> by{" "}
              <span title={host.createdBy.email} className="text-fg">
                {host.createdBy.name}
              </span>
            </dd>
          </div>
        </dl>
      </div>
      {manage ? (
        <div className="flex shrink-0 flex-wrap items-start gap-2 sm:justify-end">
          <Button variant="secondary" size="sm" icon={<FlaskConical />} onClick={onTest}>
            {named("Test")}
          </Button>
          <Button variant="secondary" size="sm" icon={<Pencil />} onClick={onReplace}>
            {named("Replace")}
          </Button>
          <Button variant="ghost" size="sm" icon={<Trash2 />} onClick={onRemove}>
            {named("Remove")}
          </Button>
        </div>
      ) : null}
    </li>
  );
}
