// Which wire format a forwarded request speaks. The path decides, limited to what each provider
// serves (PROVIDER_WIRE_FORMATS, in @studio/models, which also decides which agent can use which
// provider), so that e.g. OpenAI's Assistants `/v1/threads/<id>/messages` is not taken for Anthropic.
import { PROVIDER_WIRE_FORMATS } from "@studio/models";
import { trimSlashes } from "../slashes.ts";
import type { GatewayProvider } from "../upstreams.ts";
import type { WireFormat } from "./types.ts";

const GOOGLE_METHODS = new Set(["streamGenerateContent", "generateContent"]);

/** `…/models/<model>:generateContent` (or streamGenerateContent, or under tunedModels). */
function isGoogleModelCall(path: string): boolean {
  const slash = path.lastIndexOf("/");
  const parent = path.slice(0, slash);
  const last = path.slice(slash + 1);
  const colon = last.lastIndexOf(":");
  return (
    colon > 0 &&
    GOOGLE_METHODS.has(last.slice(colon + 1)) &&
    (parent.endsWith("/models") || parent.endsWith("/tunedModels"))
  );
}

// Exact final segments: /v1/messages/count_tokens, /v1/responses/<id>/cancel, :countTokens and
// the like are not model calls. No regex here: the path is the sandbox's, of any length.
function formatOfPath(path: string): WireFormat | null {
  if (path.endsWith("/chat/completions")) return "chat-completions";
  if (path.endsWith("/responses")) return "responses";
  if (path.endsWith("/messages")) return "anthropic";
  if (isGoogleModelCall(path)) return "google";
  return null;
}

/** The text before the first of `?` or `#`. */
function withoutQuery(text: string): string {
  const ends = [text.indexOf("?"), text.indexOf("#")].filter((at) => at >= 0);
  return ends.length > 0 ? text.slice(0, Math.min(...ends)) : text;
}

function normalisePath(pathAfterProvider: string): string {
  let path = withoutQuery(pathAfterProvider);
  try {
    path = decodeURIComponent(path); // Google's `:` may arrive as %3A
  } catch {
    // Malformed escapes: match the path as it is.
  }
  return `/${trimSlashes(path)}`;
}

/**
 * Which wire format a forwarded request speaks, from the gateway provider id and the path after
 * /api/llm/<provider>; null = not a model call (e.g. GET /v1/models), not metered.
 */
export function wireFormatFor(
  provider: GatewayProvider,
  method: string,
  pathAfterProvider: string,
): WireFormat | null {
  if (method.toUpperCase() !== "POST") return null;
  const format = formatOfPath(normalisePath(pathAfterProvider));
  return format && PROVIDER_WIRE_FORMATS[provider]?.includes(format) ? format : null;
}
