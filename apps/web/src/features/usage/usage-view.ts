// What the usage page shows, as it lives in the address bar: every filter is a search parameter,
// so a shared or reloaded link restores the same view. Pure functions, unit-tested.
import type { AppRouter } from "@studio/api";
import { KEY_SOURCES as ALL_KEY_SOURCES, LEDGER_KINDS, MODEL_PROVIDERS } from "@studio/models/lists";
import type { inferRouterInputs } from "@trpc/server";

export type LedgerFilter = inferRouterInputs<AppRouter>["usage"]["entries"]["filter"];
export type Scope = NonNullable<LedgerFilter["scope"]>;
export type Provider = NonNullable<LedgerFilter["provider"]>;
export type KeySource = NonNullable<LedgerFilter["keySource"]>;
export type Kind = NonNullable<LedgerFilter["kind"]>[number];
export type GroupBy = inferRouterInputs<AppRouter>["usage"]["summary"]["groupBy"];
export type RangePreset = "today" | "7d" | "30d" | "90d" | "all" | "custom";

export const RANGE_PRESETS: readonly { value: RangePreset; label: string }[] = [
  { value: "today", label: "Today" },
  { value: "7d", label: "7 days" },
  { value: "30d", label: "30 days" },
  { value: "90d", label: "90 days" },
  { value: "all", label: "All time" },
  { value: "custom", label: "Custom" },
];
export const PROVIDERS: readonly Provider[] = MODEL_PROVIDERS;
export const KEY_SOURCES: readonly KeySource[] = ALL_KEY_SOURCES;
export const KINDS: readonly Kind[] = LEDGER_KINDS;
export const GROUPS: readonly GroupBy[] = ["day", "model", "provider", "user", "keySource"];

const PRESET_DAYS: Partial<Record<RangePreset, number>> = { today: 1, "7d": 7, "30d": 30, "90d": 90 };
export const DEFAULT_RANGE: RangePreset = "30d";
export const DEFAULT_GROUP: GroupBy = "model";

export interface UsageView {
  scope: Scope;
  range: RangePreset;
  /** Custom range only: first and last day included, YYYY-MM-DD in UTC. */
  from: string | null;
  to: string | null;
  userId: string | null;
  sessionId: string | null;
  provider: Provider | null;
  model: string | null;
  keySource: KeySource | null;
  /** Empty means every kind. */
  kinds: Kind[];
  group: GroupBy;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A YYYY-MM-DD that names a real day (not 2026-02-30). */
export function isDay(value: string | null | undefined): value is string {
  if (!value || !DAY.test(value)) return false;
  const date = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** The UTC day a moment falls on: the server buckets days in UTC, so everyone's links match. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return utcDay(date);
}

export function dayStart(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | null {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

function text(value: string | null, max: number): string | null {
  const trimmed = value?.trim();
  return trimmed && trimmed.length <= max ? trimmed : null;
}

/**
 * The view a link describes. Anything unknown or malformed falls back to the default rather than
 * failing, so an old or hand-edited link still opens a page. Members only ever get their own entries.
 */
export function readView(params: URLSearchParams, manager: boolean): UsageView {
  const scope: Scope = manager && params.get("scope") !== "mine" ? "organization" : "mine";
  const range =
    oneOf(
      params.get("range"),
      RANGE_PRESETS.map((preset) => preset.value),
    ) ?? DEFAULT_RANGE;
  const from = params.get("from");
  const to = params.get("to");
  const kinds = (params.get("kind") ?? "")
    .split(",")
    .filter((kind): kind is Kind => (KINDS as readonly string[]).includes(kind));
  const group = oneOf(params.get("group"), GROUPS) ?? DEFAULT_GROUP;
  return {
    scope,
    range,
    from: range === "custom" && isDay(from) ? from : null,
    to: range === "custom" && isDay(to) ? to : null,
    userId: scope === "organization" ? text(params.get("user"), 64) : null,
    sessionId: text(params.get("session"), 64),
    provider: oneOf(params.get("provider"), PROVIDERS),
    model: text(params.get("model"), 120),
    keySource: oneOf(params.get("keySource"), KEY_SOURCES),
    kinds: KINDS.filter((kind) => kinds.includes(kind)),
    // Grouping by person only means something across the organisation.
    group: scope === "mine" && group === "user" ? DEFAULT_GROUP : group,
  };
}

/** The search parameters for a view; defaults are left out so links stay short. */
export function writeView(view: UsageView, manager: boolean): URLSearchParams {
  const params = new URLSearchParams();
  if (manager && view.scope === "mine") params.set("scope", "mine");
  if (view.range !== DEFAULT_RANGE) params.set("range", view.range);
  if (view.range === "custom") {
    if (view.from) params.set("from", view.from);
    if (view.to) params.set("to", view.to);
  }
  if (view.scope === "organization" && view.userId) params.set("user", view.userId);
  if (view.sessionId) params.set("session", view.sessionId);
  if (view.provider) params.set("provider", view.provider);
  if (view.model) params.set("model", view.model);
  if (view.keySource) params.set("keySource", view.keySource);
  if (view.kinds.length > 0 && view.kinds.length < KINDS.length) params.set("kind", view.kinds.join(","));
  if (view.group !== DEFAULT_GROUP) params.set("group", view.group);
  return params;
}

export type FilterResult =
  | { ok: true; filter: LedgerFilter; firstDay: string | null; endDay: string }
  | { ok: false; field: "from" | "to"; message: string };

/**
 * The API filter for a view on a given (UTC) day. Presets count whole UTC days back from today,
 * today included; a custom range includes its last day (the API's end is exclusive). `endDay` is
 * the first day after the range, for the chart's axis.
 */
export function viewToFilter(view: UsageView, today: string): FilterResult {
  const filter: LedgerFilter = { scope: view.scope };
  let firstDay: string | null = null;
  let endDay = addDays(today, 1);
  const presetDays = PRESET_DAYS[view.range];
  if (presetDays) firstDay = addDays(today, 1 - presetDays);
  if (view.range === "custom") {
    if (!view.from) return { ok: false, field: "from", message: "Choose the first day of the range." };
    if (!view.to) return { ok: false, field: "to", message: "Choose the last day of the range." };
    if (view.to < view.from)
      return { ok: false, field: "to", message: "The last day can't come before the first." };
    firstDay = view.from;
    endDay = addDays(view.to, 1);
    filter.to = dayStart(endDay);
  }
  if (firstDay) filter.from = dayStart(firstDay);
  if (view.scope === "organization" && view.userId) filter.userId = view.userId;
  if (view.sessionId) filter.sessionId = view.sessionId;
  if (view.provider) filter.provider = view.provider;
  if (view.model) filter.model = view.model;
  if (view.keySource) filter.keySource = view.keySource;
  if (view.kinds.length > 0 && view.kinds.length < KINDS.length) filter.kind = [...view.kinds];
  return { ok: true, filter, firstDay, endDay };
}

/** Whether any filter narrows the entries beyond scope and period. */
export function hasNarrowingFilters(view: UsageView): boolean {
  return Boolean(
    view.userId ||
      view.sessionId ||
      view.provider ||
      view.model ||
      view.keySource ||
      (view.kinds.length > 0 && view.kinds.length < KINDS.length),
  );
}

export const CSV_PATH = "/api/usage/ledger.csv";

/** The export link: the server streams exactly the set the page's filter describes. */
export function csvHref(filter: LedgerFilter): string {
  return `${CSV_PATH}?filter=${encodeURIComponent(JSON.stringify(filter))}`;
}

/** A suggested file name for the download, naming the scope and period. */
export function csvFileName(view: UsageView, firstDay: string | null, endDay: string): string {
  const period = firstDay ? `${firstDay}_to_${addDays(endDay, -1)}` : `until-${addDays(endDay, -1)}`;
  return `usage-${view.scope === "organization" ? "organisation" : "mine"}-${period}.csv`;
}
