import { ChevronDown, Pencil } from "lucide-react";
import { Fragment, useState } from "react";
import { Badge } from "../../components/ui/Badge.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { ACTIONS_COLUMN, type TableColumn, TableHead } from "../../components/ui/Table.tsx";
import { cn } from "../../lib/cn.ts";
import { formatDate, formatDateTime } from "../../lib/format.ts";
import { formatUsd } from "../../lib/money.ts";
import {
  isOrganizationPrice,
  type ModelPrices,
  type Price,
  type PriceProvider,
  pricesByProvider,
} from "./prices.ts";

const SOURCE_COLUMN: TableColumn = { label: "Source", from: "md" };
const PRICE_COLUMNS: TableColumn[] = [
  { label: "Model" },
  { label: "Input", align: "right" },
  { label: "Output", align: "right" },
  { label: "Cached input", align: "right", from: "sm" },
  { label: "Effective", from: "lg" },
  SOURCE_COLUMN,
  { ...ACTIONS_COLUMN, from: "sm" },
];

export const providerLabels: Record<PriceProvider, string> = {
  xai: "xAI",
  anthropic: "Anthropic",
  openai: "OpenAI",
  google: "Google",
  openrouter: "OpenRouter",
  custom: "OpenAI-compatible endpoint",
};

function Source({ price }: { price: Price }) {
  return isOrganizationPrice(price) ? (
    <Badge tone="accent">Organisation price</Badge>
  ) : (
    <Badge>Platform list price</Badge>
  );
}

function Effective({ date }: { date: Date }) {
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)}>
      {formatDate(date)}
    </time>
  );
}

function Amount({ value }: { value: bigint | undefined }) {
  if (value === undefined)
    return (
      <span className="text-fg-subtle">
        <span aria-hidden="true">—</span>
        <span className="sr-only">No price in force</span>
      </span>
    );
  return <>{formatUsd(value)}</>;
}

function History({ entry, label, now }: { entry: ModelPrices; label: string; now: Date }) {
  return (
    <table className="w-full text-left text-xs">
      <caption className="sr-only">Price history for {label}</caption>
      <thead className="text-fg-muted">
        <tr>
          <th scope="col" className="py-1.5 pr-3 font-medium">
            From
          </th>
          <th scope="col" className="px-3 py-1.5 text-right font-medium">
            Input
          </th>
          <th scope="col" className="px-3 py-1.5 text-right font-medium">
            Output
          </th>
          <th scope="col" className="px-3 py-1.5 text-right font-medium">
            Cached
          </th>
          <th scope="col" className="hidden py-1.5 pl-3 font-medium sm:table-cell">
            Source
          </th>
        </tr>
      </thead>
      <tbody className="divide-y divide-line">
        {entry.history.map((price) => (
          <tr key={price.id} className={price === entry.current ? "font-medium text-fg" : "text-fg-muted"}>
            <td className="py-1.5 pr-3">
              <Effective date={price.effectiveFrom} />
              {price.effectiveFrom > now ? (
                <Badge tone="warning" className="ml-1.5">
                  Scheduled
                </Badge>
              ) : price === entry.current ? (
                <span className="ml-1.5 text-accent-soft-fg">(in force)</span>
              ) : null}
            </td>
            <td className="px-3 py-1.5 text-right font-mono tabular-nums">{formatUsd(price.inputPerMTok)}</td>
            <td className="px-3 py-1.5 text-right font-mono tabular-nums">
              {formatUsd(price.outputPerMTok)}
            </td>
            <td className="px-3 py-1.5 text-right font-mono tabular-nums">
              {formatUsd(price.cachedInputPerMTok)}
            </td>
            <td className="hidden py-1.5 pl-3 sm:table-cell">
              {isOrganizationPrice(price) ? "Organisation" : "Platform"}
              {/* Seeded list prices have no author: they came with the studio. */}
              {price.createdBy ? `, by ${price.createdBy.name}` : ""}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RowActions({
  label,
  expanded,
  historyId,
  hasHistory,
  onToggle,
  onEdit,
}: {
  label: string;
  expanded: boolean;
  historyId: string;
  hasHistory: boolean;
  onToggle: () => void;
  onEdit: (() => void) | null;
}) {
  return (
    <div className="flex flex-wrap gap-1.5 sm:justify-end">
      {hasHistory ? (
        <Button
          variant="ghost"
          size="sm"
          aria-expanded={expanded}
          aria-controls={expanded ? historyId : undefined}
          onClick={onToggle}
          icon={<ChevronDown className={cn("transition-transform", expanded && "rotate-180")} />}
        >
          History <span className="sr-only">for {label}</span>
        </Button>
      ) : null}
      {onEdit ? (
        <Button variant="secondary" size="sm" icon={<Pencil />} onClick={onEdit}>
          Edit <span className="sr-only">price for {label}</span>
        </Button>
      ) : null}
    </div>
  );
}

/** `listOnly`: every row is a list price, so no column says so. */
export function PriceTable({
  models,
  modelLabel,
  manager,
  onEdit,
  listOnly = false,
}: {
  models: ModelPrices[];
  modelLabel: (entry: Pick<ModelPrices, "provider" | "model">) => string;
  manager: boolean;
  onEdit: (entry: ModelPrices) => void;
  listOnly?: boolean;
}) {
  const columns = listOnly ? PRICE_COLUMNS.filter((column) => column !== SOURCE_COLUMN) : PRICE_COLUMNS;
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const now = new Date();
  const toggle = (key: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (!next.delete(key)) next.add(key);
      return next;
    });

  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-left text-[13px]">
        <caption className="sr-only">Model prices in USD per million tokens</caption>
        <TableHead columns={columns} />
        {pricesByProvider(models).map((group) => (
          <tbody key={group.provider} className="border-b border-line last:border-b-0">
            <tr className="bg-surface-muted/60">
              <th
                scope="colgroup"
                colSpan={columns.length}
                className="py-2 pr-3 pl-4 text-xs font-semibold text-fg-muted sm:pl-5"
              >
                {providerLabels[group.provider]}
              </th>
            </tr>
            {group.models.map((entry) => {
              const key = `${entry.provider}/${entry.model}`;
              const label = modelLabel(entry);
              const current = entry.current;
              const expanded = open.has(key);
              const historyId = `price-history-${key.replace(/[^a-z0-9-]/gi, "-")}`;
              const actions = {
                label,
                expanded,
                historyId,
                hasHistory: entry.history.length > 1,
                onToggle: () => toggle(key),
                onEdit: manager ? () => onEdit(entry) : null,
              };
              return (
                <Fragment key={key}>
                  <tr className="border-t border-line first:border-t-0" data-model={key}>
                    <th scope="row" className="py-3 pr-3 pl-4 align-top font-normal sm:pl-5">
                      <span className="block font-medium text-fg">{label}</span>
                      {label !== entry.model ? (
                        <span className="block font-mono text-xs break-all text-fg-muted">{entry.model}</span>
                      ) : null}
                      {current ? (
                        <span className="mt-1 flex flex-wrap items-center gap-1.5 text-xs text-fg-muted md:hidden">
                          <span className="sm:hidden">Cached {formatUsd(current.cachedInputPerMTok)}</span>
                          <span>
                            From <Effective date={current.effectiveFrom} />
                          </span>
                          {listOnly ? null : <Source price={current} />}
                        </span>
                      ) : null}
                      {entry.scheduled.length > 0 ? (
                        <Badge tone="warning" className="mt-1">
                          Change scheduled
                        </Badge>
                      ) : null}
                      {/* Phones have no room for an actions column: the buttons go under the name. */}
                      <div className="mt-2 sm:hidden">
                        <RowActions {...actions} />
                      </div>
                    </th>
                    <td className="px-3 py-3 text-right align-top font-mono tabular-nums">
                      <Amount value={current?.inputPerMTok} />
                    </td>
                    <td className="px-3 py-3 text-right align-top font-mono tabular-nums">
                      <Amount value={current?.outputPerMTok} />
                    </td>
                    <td className="hidden px-3 py-3 text-right align-top font-mono tabular-nums sm:table-cell">
                      <Amount value={current?.cachedInputPerMTok} />
                    </td>
                    <td className="hidden px-3 py-3 align-top text-fg-muted lg:table-cell">
                      {current ? <Effective date={current.effectiveFrom} /> : "Not in force yet"}
                    </td>
                    {listOnly ? null : (
                      <td className="hidden px-3 py-3 align-top md:table-cell">
                        {current ? <Source price={current} /> : null}
                      </td>
                    )}
                    <td className="hidden py-2.5 pr-4 pl-3 text-right align-top sm:table-cell sm:pr-5">
                      <RowActions {...actions} />
                    </td>
                  </tr>
                  {expanded ? (
                    <tr id={historyId}>
                      <td colSpan={columns.length} className="bg-surface-muted/40 px-4 pt-1 pb-3 sm:px-5">
                        <History entry={entry} label={label} now={now} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        ))}
      </table>
    </div>
  );
}
