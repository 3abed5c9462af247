// "Test key": the cheapest call that proves a key works. Listing models (or, for OpenRouter, reading
// the key's own record) costs nothing and needs a valid key on every provider.
import { endpointUrlProblem, type PrivateNetworkPolicy } from "@studio/core";
import { Agent, fetch } from "undici";
import { trimTrailingSlashes } from "./slashes.ts";
import { newGuardedAgent, RefusedAddressError } from "./tenant-network.ts";
import type { GatewayProvider, UpstreamConfig } from "./upstreams.ts";
import { DEFAULT_UPSTREAM_URLS, upstreamAuthHeaders } from "./upstreams.ts";

const PROBE_PATHS: Record<GatewayProvider, string> = {
  xai: "/v1/models",
  anthropic: "/v1/models",
  openai: "/v1/models",
  google: "/v1beta/models",
  openrouter: "/api/v1/key",
  // The endpoint's own base URL usually ends in /v1 already.
  custom: "/models",
};

const TIMEOUT_MS = 15_000;

const platformAgent = new Agent();
/** Made when first needed: only a custom endpoint under TENANT_PRIVATE_NETWORK=deny uses it. */
let guardedAgent: Agent | null = null;
export function agentFor(tenantSupplied: boolean, privateNetwork: PrivateNetworkPolicy): Agent {
  if (!tenantSupplied || privateNetwork === "allow") return platformAgent;
  guardedAgent ??= newGuardedAgent();
  return guardedAgent;
}

export type ProbeResult =
  | { ok: true; message: string }
  | { ok: false; status: number | null; message: string };

function providerMessage(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const error = parsed.error;
    if (typeof error === "string") return error;
    if (error && typeof error.message === "string") return error.message;
    if (typeof parsed.message === "string") return parsed.message;
  } catch {}
  return null;
}

/** Never echo the key back, even when a provider quotes it in its error. */
const redact = (text: string, key: string) =>
  (key.length >= 4 ? text.split(key).join("••••") : text).slice(0, 300);

export async function probeKey(
  provider: GatewayProvider,
  key: { apiKey: string; baseUrl?: string | null },
  upstreams: UpstreamConfig,
  /** TENANT_PRIVATE_NETWORK: applies to the custom endpoint, the one URL an organisation supplies. */
  privateNetwork: PrivateNetworkPolicy,
): Promise<ProbeResult> {
  const tenantSupplied = provider === "custom";
  const base = tenantSupplied
    ? key.baseUrl
    : (upstreams[provider]?.baseUrl ?? DEFAULT_UPSTREAM_URLS[provider as keyof typeof DEFAULT_UPSTREAM_URLS]);
  if (!base) return { ok: false, status: null, message: "No endpoint URL is set." };
  const problem = tenantSupplied ? endpointUrlProblem(base) : null;
  if (problem) return { ok: false, status: null, message: problem };
  const headers: Record<string, string> = {
    accept: "application/json",
    ...upstreamAuthHeaders(provider, key.apiKey || null),
  };
  if (provider === "anthropic") headers["anthropic-version"] = "2023-06-01";
  try {
    const response = await fetch(`${trimTrailingSlashes(base)}${PROBE_PATHS[provider]}`, {
      headers,
      signal: AbortSignal.timeout(TIMEOUT_MS),
      // Not followed: a redirect could lead anywhere, a private address included.
      redirect: "manual",
      dispatcher: agentFor(tenantSupplied, privateNetwork),
    });
    const body = await response.text();
    if (response.status >= 300 && response.status < 400)
      return {
        ok: false,
        status: response.status,
        message: `The provider answered with a redirect (HTTP ${response.status}), which the studio does not follow.`,
      };
    if (response.ok) return { ok: true, message: `The provider accepted the key (HTTP ${response.status}).` };
    const reason = providerMessage(body) ?? response.statusText ?? "no reason given";
    return {
      ok: false,
      status: response.status,
      message: redact(`HTTP ${response.status}: ${reason}`, key.apiKey),
    };
  } catch (error) {
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause instanceof RefusedAddressError) return { ok: false, status: null, message: cause.message };
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    return {
      ok: false,
      status: null,
      message: timedOut
        ? "The provider did not answer within 15 seconds."
        : "The provider could not be reached.",
    };
  }
}
