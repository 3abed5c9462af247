// What of a provider's answer reaches the sandbox. The gateway answers on the studio's own origin,
// and a custom endpoint is whatever server an organisation names: its answer must never become a
// page there (HTML, SVG, a cookie), nor tell the sandbox about the platform's account. So only the
// content types the wire formats answer with pass, and only the headers their clients read.
import type { IncomingHttpHeaders } from "node:http";
import { GatewayRefusal, SECURITY_HEADERS } from "./refusal.ts";

/** JSON (whole answers, errors, Google's JSON-array stream) and server-sent events; nothing else. */
const CONTENT_TYPES = new Set(["application/json", "text/event-stream"]);

/**
 * Headers the wire formats' clients read: the body's type and encoding, cache hints on streams, when
 * to retry, and the provider's request id (quoted in support requests). Never cookies, CORS,
 * redirects or framing, nor the account's organisation, project or rate limits.
 */
const PASSED_HEADERS = [
  "content-type",
  "content-encoding",
  "cache-control",
  "retry-after",
  "retry-after-ms",
  "x-should-retry",
  "x-request-id",
  "request-id",
];

/** The media type alone: lower case, without parameters. */
function mediaType(contentType: string | string[] | undefined): string | null {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  const [type] = (value ?? "").split(";", 1);
  return type?.trim().toLowerCase() || null;
}

/**
 * The headers to send the sandbox with the provider's answer, or the refusal that replaces an answer
 * of another content type.
 */
export function passedResponseHeaders(
  status: number,
  headers: IncomingHttpHeaders,
): Record<string, string | string[]> | GatewayRefusal {
  const type = mediaType(headers["content-type"]);
  if (!type || !CONTENT_TYPES.has(type))
    return new GatewayRefusal(
      502,
      `The model provider answered with ${type ?? "no content type"} (HTTP ${status}), which the studio does not pass on: only JSON and event streams.`,
    );
  const passed: Record<string, string | string[]> = {};
  for (const name of PASSED_HEADERS) {
    const value = headers[name];
    if (value !== undefined) passed[name] = value;
  }
  return { ...passed, ...SECURITY_HEADERS };
}
