// The models a custom OpenAI-compatible endpoint lists, for the catalogue (issue 17, point 3). The
// studio asks `GET <baseUrl>/models` itself, with the stored key, so neither the key nor the
// endpoint's address ever reaches a browser; an organisation's endpoint is called through the same
// guarded agent as "Test key" (TENANT_PRIVATE_NETWORK), redirects are not followed, and the answer
// is bounded in time and size before zod reads it (`parseModelList` in core).
import {
  type EndpointModels,
  endpointUrlProblem,
  type Keyring,
  openProviderKey,
  type PrivateNetworkPolicy,
  parseModelList,
} from "@studio/core";
import type { DbTx } from "@studio/db";
import { type Dispatcher, fetch } from "undici";
import { agentFor } from "./key-probe.ts";
import { trimTrailingSlashes } from "./slashes.ts";
import { RefusedAddressError } from "./tenant-network.ts";
import { type UpstreamConfig, upstreamAuthHeaders } from "./upstreams.ts";

export interface ModelListingLimits {
  /** How long the endpoint has to answer, body included. */
  timeoutMs: number;
  /** The most of its answer that is read; a longer one is refused. */
  maxBytes: number;
  /** How long a list is reused. */
  ttlMs: number;
  /** How long a failure is reused, so a dead endpoint does not slow every catalogue read. */
  failureTtlMs: number;
  /** Organisations whose listing is kept at once; the oldest goes first. */
  maxEntries: number;
}

/**
 * The catalogue waits for the listing (the web app batches its queries, so a slow endpoint delays
 * the page's other reads too): a model server lists its models in milliseconds, so 3 s is generous,
 * and a failure is kept long enough that a dead endpoint costs that wait only now and then.
 */
export const MODEL_LISTING_LIMITS: ModelListingLimits = {
  timeoutMs: 3_000,
  maxBytes: 2 * 1024 * 1024,
  ttlMs: 60_000,
  failureTtlMs: 15_000,
  maxEntries: 1_000,
};

export interface ModelListingOptions {
  db: DbTx;
  keyring: Keyring;
  upstreams: UpstreamConfig;
  /** TENANT_PRIVATE_NETWORK: applies to an organisation's endpoint, never to the platform's own. */
  privateNetwork: PrivateNetworkPolicy;
  limits?: Partial<ModelListingLimits>;
}

export interface ModelListing {
  /**
   * What the endpoint the organisation's custom sessions would use lists: its own endpoint, else
   * the platform's (`CUSTOM_OPENAI_BASE_URL`); null when there is neither.
   */
  forOrganization(organizationId: string): Promise<EndpointModels | null>;
  /** The organisation's endpoint or key changed: the next read asks the endpoint again. */
  forget(organizationId: string): void;
}

interface Entry {
  /** Which endpoint the listing is of: the key row's last change, or the platform's. */
  version: string;
  listing: Promise<EndpointModels | null>;
  expiresAt: number;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} seconds`;

/** Reads at most `maxBytes` of the body; null when there is more. */
async function readBounded(body: AsyncIterable<Uint8Array> | null, maxBytes: number): Promise<string | null> {
  if (!body) return "";
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of body) {
    size += part.byteLength;
    if (size > maxBytes) return null;
    parts.push(part);
  }
  return Buffer.concat(parts).toString("utf8");
}

/** `GET <baseUrl>/models` once, as a listing or the sentence that says why there is none. */
export async function fetchEndpointModels(
  endpoint: { baseUrl: string; apiKey: string | null },
  dispatcher: Dispatcher,
  limits: Pick<ModelListingLimits, "timeoutMs" | "maxBytes"> = MODEL_LISTING_LIMITS,
): Promise<EndpointModels> {
  const problem = endpointUrlProblem(endpoint.baseUrl);
  if (problem) return { ok: false, reason: problem };
  try {
    const response = await fetch(`${trimTrailingSlashes(endpoint.baseUrl)}/models`, {
      headers: { accept: "application/json", ...upstreamAuthHeaders("custom", endpoint.apiKey || null) },
      signal: AbortSignal.timeout(limits.timeoutMs),
      // Not followed: a redirect could lead anywhere, a private address included.
      redirect: "manual",
      dispatcher,
    });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      return {
        ok: false,
        reason: `The endpoint answered GET /models with a redirect (HTTP ${response.status}), which the studio does not follow.`,
      };
    }
    if (!response.ok) {
      await response.body?.cancel();
      return { ok: false, reason: `The endpoint answered GET /models with HTTP ${response.status}.` };
    }
    const declared = Number(response.headers.get("content-length") ?? 0);
    const body = declared > limits.maxBytes ? null : await readBounded(response.body, limits.maxBytes);
    if (body === null) {
      await response.body?.cancel().catch(() => {});
      return {
        ok: false,
        reason: `The endpoint's model list is larger than ${Math.round(limits.maxBytes / 1024)} KB, more than the studio reads.`,
      };
    }
    return parseModelList(body);
  } catch (error) {
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause instanceof RefusedAddressError) return { ok: false, reason: cause.message };
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    return {
      ok: false,
      reason: timedOut
        ? `The endpoint did not list its models within ${seconds(limits.timeoutMs)}.`
        : "The endpoint could not be reached.",
    };
  }
}

export function createModelListing(options: ModelListingOptions): ModelListing {
  const limits = { ...MODEL_LISTING_LIMITS, ...options.limits };
  const { db, keyring, upstreams, privateNetwork } = options;
  const entries = new Map<string, Entry>();

  const list = async (organizationId: string): Promise<EndpointModels | null> => {
    const key = await openProviderKey(db, keyring, organizationId, "custom");
    if (key?.baseUrl)
      return fetchEndpointModels(
        { baseUrl: key.baseUrl, apiKey: key.apiKey },
        agentFor(true, privateNetwork),
        limits,
      );
    const platform = upstreams.custom;
    if (!platform) return null;
    return fetchEndpointModels(platform, agentFor(false, privateNetwork), limits);
  };

  const remember = (organizationId: string, version: string): Entry => {
    const entry: Entry = { version, listing: list(organizationId), expiresAt: Number.POSITIVE_INFINITY };
    entries.delete(organizationId);
    entries.set(organizationId, entry);
    while (entries.size > limits.maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
    entry.listing.then(
      (listing) => {
        entry.expiresAt = Date.now() + (listing?.ok === false ? limits.failureTtlMs : limits.ttlMs);
      },
      () => entries.get(organizationId) === entry && entries.delete(organizationId),
    );
    return entry;
  };

  return {
    async forOrganization(organizationId) {
      // The key row's last change names the endpoint: a key set or removed on another replica is
      // seen at the next read, without waiting for the list to expire.
      const row = await db.providerKey.findUnique({
        where: { organizationId_provider: { organizationId, provider: "custom" } },
        select: { updatedAt: true },
      });
      const version = row ? `own:${row.updatedAt.getTime()}` : "platform";
      const cached = entries.get(organizationId);
      if (cached && cached.version === version && cached.expiresAt > Date.now()) return cached.listing;
      return remember(organizationId, version).listing;
    },
    forget(organizationId) {
      entries.delete(organizationId);
    },
  };
}
