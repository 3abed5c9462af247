import type { BadgeTone } from "../../components/ui/Badge.tsx";
import type { SessionStatus } from "./chat/chat-types.ts";

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
  status === "provisioning" || status === "ready" || status === "active" || status === "idle";

const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

export function formatTokens(value: bigint | number): string {
  return compact.format(Number(value));
}

/** Credits are micro-USD in the ledger; shown as dollars with enough digits for small sessions. */
export function formatCredits(microUsd: bigint | number): string {
  const dollars = Number(microUsd) / 1_000_000;
  const digits = dollars !== 0 && dollars < 0.01 ? 4 : 2;
  return new Intl.NumberFormat(undefined, {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(dollars);
}
