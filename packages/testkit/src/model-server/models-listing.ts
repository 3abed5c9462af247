// What a provider answers to "list models", in its own format: what "Test key" calls, and what the
// studio reads to offer a custom endpoint's models. OpenRouter's key probe reads the key's record.
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./driver.ts";
import type { ModelsListing } from "./types.ts";

export const DEFAULT_MODELS: readonly string[] = ["scripted-1"];

/** GET …/models (Google: …/v1beta/models) or OpenRouter's GET …/key. */
export const isListingRequest = (method: string | undefined, path: string) =>
  method === "GET" && /\/(models|key)$/.test(path);

const CREATED = 1_700_000_000;

function listingBody(path: string, headers: Record<string, string>, ids: readonly string[]): unknown {
  if (path.endsWith("/key")) return { data: { label: "sk-or-v1-scr...ted", usage: 0, limit: null } };
  if (path.endsWith("/v1beta/models"))
    return {
      models: ids.map((id) => ({
        name: `models/${id}`,
        displayName: id,
        supportedGenerationMethods: ["generateContent", "streamGenerateContent"],
      })),
    };
  if (headers["anthropic-version"] || headers["x-api-key"])
    return {
      data: ids.map((id) => ({
        type: "model",
        id,
        display_name: id,
        created_at: new Date(CREATED * 1000).toISOString(),
      })),
      has_more: false,
      first_id: ids[0] ?? null,
      last_id: ids.at(-1) ?? null,
    };
  return {
    object: "list",
    data: ids.map((id) => ({ id, object: "model", created: CREATED, owned_by: "scripted" })),
  };
}

export function answerListing(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  headers: Record<string, string>,
  authorized: boolean,
  listing: ModelsListing,
): void {
  if (!authorized) {
    sendJson(res, 401, { error: { message: "Invalid API key provided." } });
  } else if (Array.isArray(listing)) {
    sendJson(res, 200, listingBody(path, headers, listing));
  } else {
    const answer = listing as Exclude<ModelsListing, readonly string[]>;
    // Hangs until the client gives up.
    if ("hang" in answer) req.on("close", () => res.destroy());
    else {
      res.writeHead(answer.status, { "content-type": answer.contentType ?? "application/json" });
      res.end(answer.body);
    }
  }
}
