// From the dependency-free lists, not @studio/acp/events: its zod schemas, built at load, would
// probe for eval, which the Content-Security-Policy refuses and reports.

import type { KeySource, SessionStatus } from "@studio/models/lists";
import { LIVE_STATUSES } from "@studio/models/lists";
import type { BadgeTone } from "../../components/ui/Badge.tsx";
import { formatUsd } from "../../lib/money.ts";

export const statusLabels: Record<SessionStatus, string> = {
  provisioning: "Starting",
  ready: "Ready",
  active: "Working",
  idle: "Idle",
  stopped: "Stopped",
  error: "Failed",
};

export const statusTones: Record<SessionStatus, BadgeTone> = {
  provisioning: "accent",
  ready: "success",
  active: "accent",
  idle: "neutral",
  stopped: "neutral",
  error: "danger",
};

export const isLiveStatus = (status: SessionStatus | undefined | null) =>
  status != null && (LIVE_STATUSES as readonly SessionStatus[]).includes(status);

const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

export function formatTokens(value: bigint | number): string {
  return compact.format(Number(value));
}

/** Credits and costs are micro-USD in the ledger; shown exactly (bigint arithmetic, never a float). */
export function formatCredits(microUsd: bigint | number): string {
  return formatUsd(microUsd);
}

export type { KeySource };

/**
 * Whether a session's calls draw on platform credits. Mirrors the server's rule only to describe it:
 * the platform's own OpenAI-compatible endpoint is recorded but never charged.
 */
export function paysWithCredits(source: KeySource, upstreamProvider: string): boolean {
  return source === "platform" && upstreamProvider !== "custom";
}

/** Which key pays for a session's model calls, in the words the config bar and header use. */
export function keySourceLabel(source: KeySource, upstreamProvider: string): string {
  if (source === "direct") return upstreamProvider === "custom" ? "Your endpoint" : "Your key";
  if (source === "openrouter") return "OpenRouter key";
  return paysWithCredits(source, upstreamProvider) ? "Platform credits" : "Platform endpoint";
}

export function keySourceDescription(
  source: KeySource,
  upstreamProvider: string,
  providerName: string,
): string {
  if (source === "direct" && upstreamProvider === "custom")
    return "The organisation's own endpoint answers, with its own key if it has one.";
  if (source === "direct") return `The organisation's own ${providerName} key pays for the model calls.`;
  if (source === "openrouter")
    return `The organisation's OpenRouter key pays, since there is no ${providerName} key of its own.`;
  if (!paysWithCredits(source, upstreamProvider))
    return "The platform's own endpoint answers: calls are recorded, not charged to credits.";
  return "Platform credits pay, at the listed prices, since the organisation has no key for this model.";
}
