// What a model call costs, in whole micro-USD, computed in integers only.
//
// Rounding rule: a call's cost is the exact rational value
//   ((input − cached) × inputPrice + cached × cachedPrice + output × outputPrice) / 1,000,000
//   × (10,000 + markupBps) / 10,000
// rounded UP to the next whole micro-USD, once per call. The platform is never short-changed by
// rounding, and a customer overpays by less than one micro-USD per call.

export interface CallUsage {
  /** The whole prompt, cached part included. */
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens served from the provider's cache (a part of inputTokens). */
  cachedTokens: number;
}

export interface PricePerMTok {
  inputPerMTok: bigint;
  outputPerMTok: bigint;
  cachedInputPerMTok: bigint;
}

const TOKENS_PER_PRICE_UNIT = 1_000_000n;
const BPS = 10_000n;

const ceilDiv = (numerator: bigint, denominator: bigint) => (numerator + denominator - 1n) / denominator;

export function callCostMicroUsd(usage: CallUsage, price: PricePerMTok, markupBps: number): bigint {
  for (const [name, value] of Object.entries(usage)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number ≥ 0`);
  }
  if (!Number.isSafeInteger(markupBps) || markupBps < 0)
    throw new RangeError("markupBps must be a whole number ≥ 0");
  // Providers report cached as a part of input; never let a bad report make the uncached part negative.
  const cached = BigInt(Math.min(usage.cachedTokens, usage.inputTokens));
  const uncached = BigInt(usage.inputTokens) - cached;
  const atListPrice =
    uncached * price.inputPerMTok +
    cached * price.cachedInputPerMTok +
    BigInt(usage.outputTokens) * price.outputPerMTok;
  return ceilDiv(atListPrice * (BPS + BigInt(markupBps)), TOKENS_PER_PRICE_UNIT * BPS);
}

/** micro-USD as a USD string with six decimals, for display and CSV; exact for any size. */
export function formatMicroUsd(amount: bigint): string {
  const negative = amount < 0n;
  const magnitude = negative ? -amount : amount;
  const whole = magnitude / 1_000_000n;
  const fraction = (magnitude % 1_000_000n).toString().padStart(6, "0");
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

/** micro-USD as a dollar amount for sentences: "-$0.010680", "$25.000000". */
export function formatUsd(amount: bigint): string {
  const text = formatMicroUsd(amount);
  return text.startsWith("-") ? `-$${text.slice(1)}` : `$${text}`;
}

/** A USD amount typed by a person ("12.5", "-0.000001") into micro-USD; null when it is not one. */
export function parseUsd(text: string): bigint | null {
  const match = /^\s*(-?)(\d{1,12})(?:\.(\d{1,6}))?\s*$/.exec(text);
  if (!match) return null;
  const [, sign, whole = "0", fraction = ""] = match;
  const value = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, "0"));
  return sign === "-" ? -value : value;
}
