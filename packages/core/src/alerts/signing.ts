// How a receiver knows a webhook message is the studio's and fresh: an HMAC-SHA256 over the
// timestamp and the exact body, under the secret shown once when the webhook was set. The
// timestamp is inside the signed text, so a captured message cannot be replayed later with a new
// one; receivers refuse timestamps outside a tolerance (5 minutes by default).
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "X-Studio-Signature";
export const DELIVERY_HEADER = "X-Studio-Delivery";
export const EVENT_HEADER = "X-Studio-Event";
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

/** The `X-Studio-Signature` value for `body` sent at `timestamp` (unix seconds). */
export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, body)}`;
}

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: "malformed" | "stale" | "mismatch" };

/**
 * Checks an `X-Studio-Signature` header against the raw body (exactly the bytes received, before
 * any JSON parsing) and the webhook's secret. Several `v1=` values are accepted (any one matching),
 * so a sender may sign with an old and a new secret while a receiver switches over.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  now: Date = new Date(),
  toleranceSeconds: number = DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
  if (!header || header.length > 2000) return { ok: false, reason: "malformed" };
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [name, value] = part.trim().split("=", 2);
    if (name === "t" && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (name === "v1" && value && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === null || signatures.length === 0) return { ok: false, reason: "malformed" };
  if (Math.abs(Math.floor(now.getTime() / 1000) - timestamp) > toleranceSeconds)
    return { ok: false, reason: "stale" };
  const expected = Buffer.from(hmacHex(secret, timestamp, body), "hex");
  const matches = signatures.some((signature) => timingSafeEqual(Buffer.from(signature, "hex"), expected));
  return matches ? { ok: true, timestamp } : { ok: false, reason: "mismatch" };
}
