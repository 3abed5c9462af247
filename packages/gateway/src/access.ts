// Who is calling and with which key: the session behind a gateway token (with its organisation's
// credit balance), and the upstream URL and key its calls use. Both are read on every model call, so
// they are cached for a moment; a charge recorded here updates the cached balance at once, so an
// organisation that just ran out is refused on its very next call through this replica.
import { endpointUrlProblem, hashSecret, type Keyring, openProviderKey } from "@studio/core";
import type { Db } from "@studio/db";
import type { KeySource, ModelProvider } from "@studio/models";
import {
  DEFAULT_UPSTREAM_URLS,
  type GatewayProvider,
  type Upstream,
  type UpstreamConfig,
} from "./upstreams.ts";

export interface GatewaySession {
  id: string;
  organizationId: string;
  userId: string;
  /** The API token the session was started with (its budget covers the session's calls). */
  apiTokenId: string | null;
  keySource: KeySource;
  upstreamProvider: ModelProvider;
  upstreamModel: string;
  budgetMicroUsd: bigint | null;
  totalCostMicroUsd: bigint;
  balanceMicroUsd: bigint;
}

export interface ResolvedUpstream {
  baseUrl: string;
  apiKey: string | null;
  /** Which organisation key was used, to mark it used; null for platform keys. */
  organizationKey: GatewayProvider | null;
  /**
   * The URL is an organisation's own (its custom endpoint), not one the operator configured: its
   * connections go through the TENANT_PRIVATE_NETWORK checks.
   */
  tenantSupplied: boolean;
}

export type UpstreamResult =
  | { ok: true; upstream: ResolvedUpstream }
  | { ok: false; status: number; message: string };

interface Cached<T> {
  value: T;
  expiresAt: number;
}

interface CachedSession extends Cached<GatewaySession | null> {
  /** After this, the next call is served from the cache while a fresh copy is read. */
  refreshAt: number;
  refreshing: boolean;
}

/** How fresh a session (its status, spend, organisation balance) is kept while it is in use... */
const SESSION_REFRESH_MS = 2_000;
/** ...and how long a copy may serve at most, when nobody called in between. */
const SESSION_TTL_MS = 10_000;
const KEY_TTL_MS = 10_000;

interface SessionRow {
  id: string;
  organization_id: string;
  user_id: string;
  api_token_id: string | null;
  key_source: GatewaySession["keySource"];
  upstream_provider: ModelProvider;
  upstream_model: string;
  budget_micro_usd: bigint | null;
  total_cost_micro_usd: bigint;
  balance: bigint;
}

export class GatewayAccess {
  private readonly sessions = new Map<string, CachedSession>();
  private readonly keys = new Map<string, Cached<{ apiKey: string; baseUrl: string | null } | null>>();

  constructor(
    private readonly db: Db,
    private readonly keyring: Keyring,
    private readonly platform: UpstreamConfig,
  ) {}

  /**
   * The live session a token belongs to. A session in use is re-read in the background every
   * couple of seconds, so its calls never wait for the database; a copy older than SESSION_TTL_MS
   * is never used.
   */
  async sessionForToken(token: string): Promise<GatewaySession | null> {
    // Keyed by the token itself, which is in this process's memory with every call anyway, so a
    // call served from the cache costs no hashing.
    const cached = this.sessions.get(token);
    const now = Date.now();
    if (cached && cached.expiresAt > now) {
      if (cached.refreshAt <= now && !cached.refreshing) {
        cached.refreshing = true;
        this.loadSession(token).catch(() => {
          cached.refreshing = false; // the next call tries again
        });
      }
      return cached.value;
    }
    return this.loadSession(token);
  }

  private async loadSession(token: string): Promise<GatewaySession | null> {
    const tokenHash = hashSecret(token);
    // One round trip: the session and its organisation's balance.
    const [row] = await this.db.$queryRaw<SessionRow[]>`
      SELECT s.id, s.organization_id, s.user_id, s.api_token_id, s.key_source, s.upstream_provider, s.upstream_model,
        s.budget_micro_usd, s.total_cost_micro_usd, COALESCE(c.balance_micro_usd, 0) AS balance
      FROM studio_sessions s LEFT JOIN credit_accounts c ON c.organization_id = s.organization_id
      WHERE s.gateway_token_hash = ${tokenHash}
        AND s.status IN ('provisioning', 'ready', 'active', 'idle')`;
    const session: GatewaySession | null = row
      ? {
          id: row.id,
          organizationId: row.organization_id,
          userId: row.user_id,
          apiTokenId: row.api_token_id,
          keySource: row.key_source,
          upstreamProvider: row.upstream_provider,
          upstreamModel: row.upstream_model,
          budgetMicroUsd: row.budget_micro_usd === null ? null : BigInt(row.budget_micro_usd),
          totalCostMicroUsd: BigInt(row.total_cost_micro_usd),
          balanceMicroUsd: BigInt(row.balance),
        }
      : null;
    const loadedAt = Date.now();
    this.sessions.set(token, {
      value: session,
      refreshAt: loadedAt + SESSION_REFRESH_MS,
      // An unknown token is not refreshed: it is read again once its short entry runs out.
      expiresAt: loadedAt + (session ? SESSION_TTL_MS : SESSION_REFRESH_MS),
      refreshing: false,
    });
    if (this.sessions.size > 10_000) this.sweep(this.sessions);
    return session;
  }

  /** After a recorded call: the balance and the session's spend as they now are. */
  noteCharge(sessionId: string, organizationId: string, balanceMicroUsd: bigint, costMicroUsd: bigint): void {
    for (const entry of this.sessions.values()) {
      const session = entry.value;
      if (!session || session.organizationId !== organizationId) continue;
      session.balanceMicroUsd = balanceMicroUsd;
      if (session.id === sessionId) session.totalCostMicroUsd += costMicroUsd;
    }
  }

  /** Forgets a session (e.g. stopped by its budget) so its token is refused from now on. */
  forgetSession(sessionId: string): void {
    for (const [key, entry] of this.sessions) if (entry.value?.id === sessionId) this.sessions.delete(key);
  }

  /**
   * Where a session's calls go and with which key. Synchronous while the organisation's key is
   * cached, so a call's request leaves before anything else queued on the event loop runs; a
   * promise only when the key must be read.
   */
  upstreamFor(session: GatewaySession): UpstreamResult | Promise<UpstreamResult> {
    const provider = session.upstreamProvider;
    const platform = this.platform[provider];
    if (session.keySource === "platform") {
      if (!platform || (!platform.apiKey && provider !== "custom"))
        return { ok: false, status: 503, message: `The platform no longer offers ${provider}.` };
      return {
        ok: true,
        upstream: {
          baseUrl: platform.baseUrl,
          apiKey: platform.apiKey,
          organizationKey: null,
          tenantSupplied: false,
        },
      };
    }
    const owner: GatewayProvider = session.keySource === "openrouter" ? "openrouter" : provider;
    const cacheKey = `${session.organizationId}:${owner}`;
    const cached = this.keys.get(cacheKey);
    if (cached && cached.expiresAt > Date.now()) return organizationUpstream(owner, platform, cached.value);
    return openProviderKey(this.db, this.keyring, session.organizationId, owner).then((key) => {
      this.keys.set(cacheKey, { value: key, expiresAt: Date.now() + KEY_TTL_MS });
      return organizationUpstream(owner, platform, key);
    });
  }

  /** A key set or deleted on this replica takes effect at once here (other replicas within KEY_TTL_MS). */
  forgetKeys(organizationId: string): void {
    for (const key of this.keys.keys()) if (key.startsWith(`${organizationId}:`)) this.keys.delete(key);
  }

  private sweep<T>(map: Map<string, Cached<T>>): void {
    const now = Date.now();
    for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
  }
}

/** The upstream of a call made with an organisation's own key (null: the key was removed). */
function organizationUpstream(
  owner: GatewayProvider,
  platform: Upstream | undefined,
  key: { apiKey: string; baseUrl: string | null } | null,
): UpstreamResult {
  if (!key)
    return {
      ok: false,
      status: 401,
      message: `The organisation's ${owner} key was removed. Add it again or start a new session.`,
    };
  const baseUrl =
    owner === "custom"
      ? key.baseUrl
      : (platform?.baseUrl ?? DEFAULT_UPSTREAM_URLS[owner as keyof typeof DEFAULT_UPSTREAM_URLS]);
  if (!baseUrl) return { ok: false, status: 503, message: "The endpoint for this key is not known." };
  const tenantSupplied = owner === "custom";
  // Rows saved before the form was checked: a query string would swallow the API path.
  const problem = tenantSupplied ? endpointUrlProblem(baseUrl) : null;
  if (problem)
    return { ok: false, status: 403, message: `${problem} Change it in Settings → Provider keys.` };
  return {
    ok: true,
    upstream: { baseUrl, apiKey: key.apiKey || null, organizationKey: owner, tenantSupplied },
  };
}
