// Words and number formats of the usage page. Times are UTC throughout: the server buckets days in
// UTC and the presets count UTC days, so a shared link shows the same rows to everyone.
import { keyProviderName } from "../keys/providers.ts";
import { keySourceLabel } from "../studio/session-status.ts";
import { OTHER } from "./chart-data.ts";
import type { GroupBy, KeySource, Kind, Provider } from "./usage-view.ts";

export const KIND_LABELS: Record<Kind, string> = {
  usage: "Usage",
  grant: "Grant",
  adjustment: "Adjustment",
  refund: "Refund",
};

/** For the filter, where no provider narrows the meaning down. */
export const KEY_SOURCE_FILTER_LABELS: Record<KeySource, string> = {
  direct: "Your key or endpoint",
  openrouter: "OpenRouter key",
  platform: "Platform",
};

export const GROUP_LABELS: Record<GroupBy, string> = {
  day: "Day",
  model: "Model",
  provider: "Provider",
  user: "Person",
  keySource: "Key source",
};

export function providerName(provider: Provider | null | undefined): string {
  return provider ? keyProviderName(provider) : "—";
}

/** For table cells, where "OpenAI-compatible endpoint" would take three lines. */
export function shortProviderName(provider: Provider | null | undefined): string {
  return provider === "custom" ? "Endpoint" : providerName(provider);
}

/** An entry's key source in the words the session header uses ("Your key", "Platform credits"…). */
export function entryKeySource(source: KeySource | null, provider: Provider | null): string {
  return source ? keySourceLabel(source, provider ?? "") : "—";
}

/** A summary row's label for its dimension; empty keys are entries without one (grants, say). */
export function groupLabel(group: GroupBy, key: string, label: string): string {
  if (group === "provider") return key ? providerName(key as Provider) : "No provider";
  if (group === "keySource")
    return key ? KEY_SOURCE_FILTER_LABELS[key as KeySource] : "No key (grants, adjustments)";
  if (group === "model") return key || "No model (grants, adjustments)";
  if (group === "user") return key ? label : "Nobody (system)";
  return label;
}

export function seriesLabel(key: string): string {
  return key === OTHER ? "Other models" : key || "No model";
}

const integer = new Intl.NumberFormat("en-US");
export function formatCount(value: bigint | number): string {
  return integer.format(value);
}

const time = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
});
const timeWithYear = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const day = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", day: "numeric", month: "short" });
const dayWithYear = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  day: "numeric",
  month: "short",
  year: "numeric",
});

/** "23 Nov, 14:05" this year, "23 Nov 2025, 14:05" before. */
export function formatEntryTime(date: Date, now: Date = new Date()): string {
  return (date.getUTCFullYear() === now.getUTCFullYear() ? time : timeWithYear).format(date);
}

const clock = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", hour: "2-digit", minute: "2-digit" });

/** An entry's day ("23 Nov", with the year before this one) and its time ("14:05"), apart. */
export function formatEntryDayAndClock(date: Date, now: Date = new Date()): [string, string] {
  const sameYear = date.getUTCFullYear() === now.getUTCFullYear();
  return [(sameYear ? day : dayWithYear).format(date), clock.format(date)];
}

/** A YYYY-MM-DD day as "23 Nov" (or with its year when asked). */
export function formatDay(value: string, withYear = false): string {
  return (withYear ? dayWithYear : day).format(new Date(`${value}T00:00:00.000Z`));
}
