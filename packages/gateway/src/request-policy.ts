// Who may call the gateway and which of their request headers reach the provider. The gateway is
// for programs (the sandbox's agent), never for browsers: a page elsewhere that gets a browser to
// post to it (a cross-site form, a navigation) must be refused before anything else, or a provider's
// answer would be shown on the studio's own origin. What a provider receives is only what its own
// clients send (gateway-wire.md), so a sandbox cannot act on the platform's account with its key.
import type { IncomingHttpHeaders } from "node:http";
import type { WireFormat } from "./metering/index.ts";
import { GatewayRefusal } from "./refusal.ts";
import type { GatewayProvider } from "./upstreams.ts";

/**
 * Browsers send Origin with every POST (forms included, as "null" when opaque) and the Fetch
 * Metadata headers on every request; SDKs send neither. A fetch() from a script sends
 * `Sec-Fetch-Dest: empty`, which Node's own fetch sends too, so only Origin and navigations count.
 */
export function refuseBrowsers(headers: IncomingHttpHeaders): void {
  const navigates = headers["sec-fetch-mode"] === "navigate";
  const dest = headers["sec-fetch-dest"];
  if (headers.origin !== undefined || navigates || (dest !== undefined && dest !== "empty"))
    throw new GatewayRefusal(403, "The studio's model gateway answers programs, not web pages.");
}

/**
 * Every wire format posts JSON. A cross-site form (and a script's no-cors fetch) can only send
 * text/plain, multipart or urlencoded bodies, so this refuses them even where a browser or an
 * extension left the Origin header out.
 */
export function refuseNonJson(headers: IncomingHttpHeaders): void {
  const type = (headers["content-type"] ?? "").split(";", 1)[0]?.trim().toLowerCase();
  if (type !== "application/json")
    throw new GatewayRefusal(415, "Model calls must be sent as JSON (Content-Type: application/json).");
}

// What OpenCode (and each provider's own SDK) sends on every call, besides the key the gateway
// replaces and the framing headers it sets itself.
const COMMON_HEADERS = ["content-type", "accept", "user-agent", "x-session-id", "x-session-affinity"];

const FORMAT_HEADERS: Record<WireFormat, readonly string[]> = {
  // The API version decides the wire format the client parses; betas are filtered (below).
  anthropic: ["anthropic-version", "anthropic-beta"],
  // OpenCode's Responses client names itself and its session for prompt caching.
  responses: ["originator", "session-id"],
  "chat-completions": [],
  google: [],
};

const PROVIDER_HEADERS: Partial<Record<GatewayProvider, readonly string[]>> = {
  // App attribution on OpenRouter's leaderboards; it changes nothing about the call.
  openrouter: ["http-referer", "x-title"],
};

/**
 * Anthropic beta features that shape only the answer to this call, as OpenCode asks for them.
 * Others are dropped: those that act on the platform's account (Files API, MCP connector, code
 * execution containers, skills) or change what a token costs in ways the ledger does not price
 * (1M-token context, one-hour cache writes). A client still works without them, only plainer.
 */
const ANTHROPIC_BETAS = new Set([
  "interleaved-thinking-2025-05-14",
  "fine-grained-tool-streaming-2025-05-14",
  "structured-outputs-2025-11-13",
  "token-efficient-tools-2025-02-19",
  "output-128k-2025-02-19",
  // Goes with the `context_management` field Claude Code sends (body-fields.ts).
  "context-management-2025-06-27",
]);

function allowedBetas(value: string | string[]): string | null {
  const betas = (Array.isArray(value) ? value.join(",") : value)
    .split(",")
    .map((beta) => beta.trim())
    .filter((beta) => ANTHROPIC_BETAS.has(beta));
  return betas.length > 0 ? betas.join(",") : null;
}

/** The caller's headers that the provider may see; anything not named here is dropped. */
export function forwardedRequestHeaders(
  provider: GatewayProvider,
  format: WireFormat,
  headers: IncomingHttpHeaders,
): Record<string, string | string[]> {
  const allowed = [...COMMON_HEADERS, ...FORMAT_HEADERS[format], ...(PROVIDER_HEADERS[provider] ?? [])];
  const forwarded: Record<string, string | string[]> = {};
  for (const name of allowed) {
    const value = headers[name];
    if (value === undefined) continue;
    if (name !== "anthropic-beta") forwarded[name] = value;
    else {
      const betas = allowedBetas(value);
      if (betas) forwarded[name] = betas;
    }
  }
  return forwarded;
}
