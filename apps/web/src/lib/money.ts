// Money arrives as micro-USD bigints. Everything here stays in bigint arithmetic: a float would turn
// $0.1 + $0.2 into $0.30000000000000004 and misstate exact ledger amounts.

const MICROS = 1_000_000n;
const group = new Intl.NumberFormat("en-US", { useGrouping: true });

/**
 * "$1,234.50", "$0.000125", "-$3.00": at least two decimals, more only when the amount has them
 * (up to six, the ledger's precision), so no amount is ever rounded.
 */
export function formatUsd(microUsd: bigint | number): string {
  const amount = typeof microUsd === "bigint" ? microUsd : BigInt(Math.trunc(microUsd));
  const negative = amount < 0n;
  const magnitude = negative ? -amount : amount;
  const whole = group.format(magnitude / MICROS);
  const fraction = (magnitude % MICROS).toString().padStart(6, "0").replace(/0+$/, "").padEnd(2, "0");
  return `${negative ? "-" : ""}$${whole}.${fraction}`;
}

/** A USD amount typed by a person ("12.5", "-0.25", "$3") into micro-USD; null when it is not one. */
export function parseUsd(text: string): bigint | null {
  const match = /^\s*(-?)\s*\$?\s*(\d{1,12})(?:\.(\d{0,6}))?\s*$/.exec(text.replaceAll(",", ""));
  if (!match) return null;
  const [, sign, whole = "0", fraction = ""] = match;
  const value = BigInt(whole) * MICROS + BigInt(fraction.padEnd(6, "0"));
  return sign === "-" ? -value : value;
}

/** Micro-USD as the plain decimal a form field starts with ("3", "0.075"): no symbol, no grouping. */
export function usdInputValue(microUsd: bigint): string {
  const negative = microUsd < 0n;
  const magnitude = negative ? -microUsd : microUsd;
  const fraction = (magnitude % MICROS).toString().padStart(6, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${magnitude / MICROS}${fraction ? `.${fraction}` : ""}`;
}
