// Where each provider's API lives and how it wants its key. The sandbox's OpenCode is configured
// with `<studio>/api/llm/<provider>` + the provider's usual path prefix as its base URL, so the
// gateway forwards the rest of the path unchanged.
import type { ModelProvider } from "@studio/models";
import type { WireFormat } from "./metering/types.ts";

export type GatewayProvider = ModelProvider;

export interface Upstream {
  /** Origin (and, for custom endpoints, path prefix) the rest of the request path is appended to. */
  baseUrl: string;
  /** Platform key; null when the platform offers no key for this provider. */
  apiKey: string | null;
}

export type UpstreamConfig = Partial<Record<GatewayProvider, Upstream>>;

export const DEFAULT_UPSTREAM_URLS: Record<Exclude<GatewayProvider, "custom">, string> = {
  xai: "https://api.x.ai",
  anthropic: "https://api.anthropic.com",
  openai: "https://api.openai.com",
  google: "https://generativelanguage.googleapis.com",
  openrouter: "https://openrouter.ai",
};

/** Request headers that carry a caller's key, in any of the wire formats. */
export const KEY_HEADERS = ["authorization", "x-api-key", "x-goog-api-key"] as const;

/** Sets the upstream key the way the provider expects it. */
export function upstreamAuthHeaders(
  provider: GatewayProvider,
  apiKey: string | null,
): Record<string, string> {
  if (!apiKey) return {};
  if (provider === "anthropic") return { "x-api-key": apiKey };
  if (provider === "google") return { "x-goog-api-key": apiKey };
  return { authorization: `Bearer ${apiKey}` };
}

/**
 * The session token the sandbox sent, where the wire format's own client sends it: a bearer token
 * for the OpenAI-style formats, `x-api-key` for Anthropic's (whose SDK can also send a bearer
 * token), `x-goog-api-key` or the `key` query parameter for Google's. Never from the URL anywhere
 * else: a URL is what a page elsewhere can make a browser send (issue 16).
 */
export function callerToken(
  format: WireFormat,
  headers: Record<string, string | string[] | undefined>,
  url: URL,
): string | null {
  const header = (name: string) => {
    const value = headers[name];
    return typeof value === "string" && value.trim() ? value.trim() : null;
  };
  const authorization = header("authorization");
  const bearer = authorization?.startsWith("Bearer ") ? authorization.slice(7).trim() || null : null;
  if (format === "anthropic") return header("x-api-key") ?? bearer;
  if (format === "google") return header("x-goog-api-key") ?? url.searchParams.get("key");
  return bearer;
}
