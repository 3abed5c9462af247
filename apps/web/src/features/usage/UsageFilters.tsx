import { keepPreviousData, skipToken, useQuery } from "@tanstack/react-query";
import { FilterX, X } from "lucide-react";
import { useId } from "react";
import { Button } from "../../components/ui/Button.tsx";
import { Field } from "../../components/ui/Field.tsx";
import { Input, Select } from "../../components/ui/Input.tsx";
import { cn } from "../../lib/cn.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { KEY_SOURCE_FILTER_LABELS, KIND_LABELS, providerName } from "./labels.ts";
import {
  addDays,
  DEFAULT_RANGE,
  type FilterResult,
  hasNarrowingFilters,
  KEY_SOURCES,
  type KeySource,
  KINDS,
  type LedgerFilter,
  PROVIDERS,
  type Provider,
  RANGE_PRESETS,
  type RangePreset,
  type UsageView,
} from "./usage-view.ts";

const chip = cn(
  "flex cursor-pointer items-center gap-1.5 rounded-md px-2.5 py-1 text-[13px] font-medium text-fg-muted transition-colors hover:text-fg",
  "has-checked:bg-surface has-checked:text-fg has-checked:shadow-soft",
  "has-focus-visible:outline-2 has-focus-visible:outline-ring",
);

/** Options for the person and model selects: whatever the ledger holds for the scope and period. */
function useOptions(view: UsageView, result: FilterResult) {
  const trpc = useTRPC();
  const period: LedgerFilter | null = result.ok
    ? {
        scope: view.scope,
        ...(result.filter.from ? { from: result.filter.from } : {}),
        ...(result.filter.to ? { to: result.filter.to } : {}),
      }
    : null;
  const options = { placeholderData: keepPreviousData, staleTime: 60_000 };
  const models = useQuery(
    trpc.usage.summary.queryOptions(period ? { filter: period, groupBy: "model" } : skipToken, options),
  );
  const people = useQuery(
    trpc.usage.summary.queryOptions(
      period && view.scope === "organization" ? { filter: period, groupBy: "user" } : skipToken,
      options,
    ),
  );
  const modelIds = (models.data ?? []).map((row) => row.key).filter(Boolean);
  // The chosen value stays listed even when the new period has no entries for it.
  if (view.model && !modelIds.includes(view.model)) modelIds.unshift(view.model);
  const users = (people.data ?? []).filter((row) => row.key).map((row) => ({ id: row.key, name: row.label }));
  if (view.userId && !users.some((user) => user.id === view.userId))
    users.unshift({ id: view.userId, name: "Selected person" });
  return { modelIds: modelIds.sort(), users: users.sort((a, b) => a.name.localeCompare(b.name)) };
}

export function UsageFilters({
  view,
  result,
  onChange,
  sessionTitle,
}: {
  view: UsageView;
  result: FilterResult;
  onChange: (change: Partial<UsageView>) => void;
  /** The session filtered on, named from the entries when they are loaded. */
  sessionTitle: string | null;
}) {
  const periodName = useId();
  const { modelIds, users } = useOptions(view, result);
  const narrowed = hasNarrowingFilters(view);

  const setRange = (range: RangePreset) => {
    if (range !== "custom") return onChange({ range, from: null, to: null });
    // Custom starts from the period on screen, so switching to it changes nothing until edited.
    const from = result.ok && result.firstDay ? result.firstDay : view.from;
    const to = result.ok ? addDays(result.endDay, -1) : view.to;
    onChange({ range, from, to });
  };

  return (
    <section
      aria-labelledby="usage-filters-heading"
      className="space-y-4 rounded-xl border border-line bg-surface px-4 py-4 shadow-soft sm:px-5"
    >
      <div className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1">
        <h2 id="usage-filters-heading" className="text-[15px] font-semibold text-fg">
          Filters
        </h2>
        <p className="text-xs text-fg-muted">Days and times are in UTC.</p>
      </div>

      <fieldset>
        <legend className="mb-1.5 text-[13px] font-medium text-fg">Period</legend>
        <div className="inline-flex flex-wrap gap-0.5 rounded-lg border border-line bg-surface-muted p-0.5">
          {RANGE_PRESETS.map((preset) => (
            <label key={preset.value} className={chip}>
              <input
                type="radio"
                name={periodName}
                value={preset.value}
                checked={view.range === preset.value}
                onChange={() => setRange(preset.value)}
                className="sr-only"
              />
              {preset.label}
            </label>
          ))}
        </div>
      </fieldset>

      {view.range === "custom" ? (
        <div className="grid gap-3 sm:max-w-md sm:grid-cols-2">
          <Field label="From" error={!result.ok && result.field === "from" ? result.message : undefined}>
            <Input
              type="date"
              value={view.from ?? ""}
              max={view.to ?? undefined}
              onChange={(event) => onChange({ from: event.target.value || null })}
            />
          </Field>
          <Field
            label="To (included)"
            error={!result.ok && result.field === "to" ? result.message : undefined}
          >
            <Input
              type="date"
              value={view.to ?? ""}
              min={view.from ?? undefined}
              onChange={(event) => onChange({ to: event.target.value || null })}
            />
          </Field>
        </div>
      ) : null}

      <div
        className={cn(
          "grid gap-3 sm:grid-cols-2",
          view.scope === "organization" ? "xl:grid-cols-4" : "xl:grid-cols-3",
        )}
      >
        {view.scope === "organization" ? (
          <Field label="Person">
            <Select
              value={view.userId ?? ""}
              onChange={(event) => onChange({ userId: event.target.value || null })}
            >
              <option value="">Everyone</option>
              {users.map((user) => (
                <option key={user.id} value={user.id}>
                  {user.name}
                </option>
              ))}
            </Select>
          </Field>
        ) : null}
        <Field label="Provider">
          <Select
            value={view.provider ?? ""}
            onChange={(event) => onChange({ provider: (event.target.value || null) as Provider | null })}
          >
            <option value="">All providers</option>
            {PROVIDERS.map((provider) => (
              <option key={provider} value={provider}>
                {providerName(provider)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Model">
          <Select
            value={view.model ?? ""}
            onChange={(event) => onChange({ model: event.target.value || null })}
          >
            <option value="">All models</option>
            {modelIds.map((model) => (
              <option key={model} value={model}>
                {model}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Key source">
          <Select
            value={view.keySource ?? ""}
            onChange={(event) => onChange({ keySource: (event.target.value || null) as KeySource | null })}
          >
            <option value="">All key sources</option>
            {KEY_SOURCES.map((source) => (
              <option key={source} value={source}>
                {KEY_SOURCE_FILTER_LABELS[source]}
              </option>
            ))}
          </Select>
        </Field>
      </div>

      <div className="flex flex-wrap items-end justify-between gap-3">
        <fieldset>
          <legend className="mb-1.5 text-[13px] font-medium text-fg">
            Kind <span className="font-normal text-fg-muted">(none ticked: all)</span>
          </legend>
          <div className="inline-flex flex-wrap gap-0.5 rounded-lg border border-line bg-surface-muted p-0.5">
            {KINDS.map((kind) => (
              <label key={kind} className={chip}>
                <input
                  type="checkbox"
                  checked={view.kinds.includes(kind)}
                  onChange={(event) =>
                    onChange({
                      kinds: event.target.checked
                        ? [...view.kinds, kind]
                        : view.kinds.filter((other) => other !== kind),
                    })
                  }
                  className="size-3.5 accent-accent"
                />
                {KIND_LABELS[kind]}
              </label>
            ))}
          </div>
        </fieldset>
        {narrowed || view.range !== DEFAULT_RANGE ? (
          <Button
            variant="ghost"
            size="sm"
            icon={<FilterX />}
            onClick={() =>
              onChange({
                range: DEFAULT_RANGE,
                from: null,
                to: null,
                userId: null,
                sessionId: null,
                provider: null,
                model: null,
                keySource: null,
                kinds: [],
              })
            }
          >
            Clear filters
          </Button>
        ) : null}
      </div>

      {view.sessionId ? (
        <div className="flex flex-wrap items-center gap-2 text-[13px]">
          <span className="text-fg-muted">Only the session</span>
          <span className="inline-flex max-w-full items-center gap-1 rounded-full bg-accent-soft py-0.5 pr-1 pl-2.5 font-medium text-accent-soft-fg">
            <span className="truncate">{sessionTitle ?? `${view.sessionId.slice(0, 8)}…`}</span>
            <button
              type="button"
              onClick={() => onChange({ sessionId: null })}
              className="rounded-full p-0.5 hover:bg-accent/15"
              aria-label="Remove the session filter"
            >
              <X className="size-3.5" aria-hidden="true" />
            </button>
          </span>
        </div>
      ) : null}
    </section>
  );
}
