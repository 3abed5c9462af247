// The one request a delivery makes: a POST to the organisation's URL, from inside the studio's
// network. Under TENANT_PRIVATE_NETWORK=deny it may only reach public addresses, checked on the
// address the socket actually connects to after resolution (a name can be made to resolve
// elsewhere after the URL was saved), exactly as the gateway guards tenant endpoints
// (packages/gateway/src/tenant-network.ts: the same rule, refusedAddressMessage). Redirects are
// never followed, and only the start of the answer is read.
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { guardedLookup, RefusedAddressError, type ResolveAll } from "../keys/guarded-lookup.ts";
import type { PrivateNetworkPolicy } from "../keys/special-addresses.ts";
import { refusedAddressMessage } from "../keys/tenant-endpoint.ts";

export const DELIVERY_TIMEOUT_MS = 10_000;
/** How much of a receiver's answer is kept in the delivery log. */
const ANSWER_CHARS = 200;
const ANSWER_READ_BYTES = 2048;

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What came back: an HTTP status with the start of its body, or why there was none (short, no URL). */
export type WebhookResponse = { status: number; answer: string } | { status: null; error: string };

/** Sends one delivery; the worker's default is postWebhook, tests may pass another. */
export type SendWebhook = (request: WebhookRequest, signal: AbortSignal) => Promise<WebhookResponse>;

export interface PostWebhookOptions {
  privateNetwork: PrivateNetworkPolicy;
  timeoutMs?: number;
  /** Tests resolve names without DNS. */
  resolve?: ResolveAll;
}

/** The sentence for a failed connection: from its code, never from its message (which may name the URL). */
function describeFailure(error: NodeJS.ErrnoException, timedOut: boolean, timeoutMs: number): string {
  if (error instanceof RefusedAddressError) return error.message.replace(/^The endpoint/, "The webhook");
  if (timedOut) return `No answer within ${Math.round(timeoutMs / 1000)} s.`;
  if (error.name === "AbortError") return "The delivery was interrupted (the studio was stopping).";
  const code = error.code ?? "";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NODATA")
    return "The webhook's host could not be found (DNS).";
  if (code === "ECONNREFUSED") return "The connection was refused.";
  if (code === "ECONNRESET" || code === "EPIPE") return "The connection was closed before an answer.";
  if (code === "ETIMEDOUT" || code === "ENETUNREACH" || code === "EHOSTUNREACH")
    return "The webhook's host could not be reached.";
  if (/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code))
    return `The webhook's TLS certificate was refused (${code}).`;
  return `The request failed (${code || error.name}).`;
}

/** Printable text only, shortened, for the delivery log. */
function shortAnswer(bytes: Buffer): string {
  const text = bytes
    .toString("utf8")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
    .replace(/[\u0000-\u001f\u007f]+/g, " ")
    .trim();
  return text.length > ANSWER_CHARS ? `${text.slice(0, ANSWER_CHARS)}…` : text;
}

/**
 * POSTs the delivery. Resolves (never rejects) with the status and the start of the answer, or
 * with why there was none: refused address, DNS, timeout (10 s for the whole exchange), abort.
 */
export function postWebhook(
  request: WebhookRequest,
  signal: AbortSignal,
  { privateNetwork, timeoutMs = DELIVERY_TIMEOUT_MS, resolve }: PostWebhookOptions,
): Promise<WebhookResponse> {
  const url = new URL(request.url);
  if (privateNetwork === "deny") {
    // net.connect never calls `lookup` for an IP literal: those are checked here.
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const refused = isIP(host) ? refusedAddressMessage(host, "deny", null) : null;
    if (refused)
      return Promise.resolve({ status: null, error: refused.replace(/^The endpoint/, "The webhook") });
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  const client = url.protocol === "https:" ? https : http;
  return new Promise((settle) => {
    let settled = false;
    const done = (response: WebhookResponse) => {
      if (settled) return;
      settled = true;
      settle(response);
    };
    const outgoing = client.request(url, {
      method: "POST",
      headers: { ...request.headers, "content-length": String(Buffer.byteLength(request.body)) },
      // A connection of its own each time: deliveries are rare, and no socket outlives its check.
      agent: false,
      signal: combined,
      ...(privateNetwork === "deny" ? { lookup: guardedLookup(resolve) } : {}),
    });
    outgoing.on("error", (error: NodeJS.ErrnoException) =>
      done({ status: null, error: describeFailure(error, timeout.aborted, timeoutMs) }),
    );
    outgoing.on("response", (incoming) => {
      const status = incoming.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        done({ status, answer: shortAnswer(Buffer.concat(chunks)) });
        incoming.destroy();
      };
      incoming.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= ANSWER_READ_BYTES) finish();
      });
      incoming.on("end", finish);
      // The status is what counts; an answer cut short (timeout, reset) still has one.
      incoming.on("error", finish);
      incoming.on("aborted", finish);
    });
    outgoing.end(request.body);
  });
}
