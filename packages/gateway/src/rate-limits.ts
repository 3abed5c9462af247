// Model calls per minute, per organisation and per member, counted in PostgreSQL by
// rate-limiter-flexible so every replica sees the same counts. The counters live in a table of the
// library's own, in a schema of their own that Prisma never manages: `pnpm db:migration` diffs
// schema.prisma against the migrations only (no database), and the table is not in `public`, so
// neither a migration nor a look at the public tables ever sees it.
//
// The hot path stays cheap: an organisation's two columns are cached (served stale while a fresh
// copy is read, like GatewayAccess's sessions), a call with no limit at either level never waits
// for the database, and the others mostly spend points taken in blocks (rate-limit-blocks.ts); a
// key past its allowance is refused from memory until its window ends, so a flood of calls that
// will be refused anyway costs no database work.
import type { SqlPool } from "@studio/db";
import { RateLimiterMemory, RateLimiterPostgres } from "rate-limiter-flexible";
import type { GatewaySession } from "./access.ts";
import { PointBlocks } from "./rate-limit-blocks.ts";
import { GatewayRefusal } from "./refusal.ts";

export interface RateLimitDefaults {
  /** Model calls per minute for a whole organisation that sets none; null: unlimited. */
  organizationPerMinute: number | null;
  /** Model calls per minute for one member in an organisation that sets none; null: unlimited. */
  memberPerMinute: number | null;
}

/** The limits one organisation's calls are held to: its own columns, else the studio's defaults. */
export interface OrganizationRateLimits {
  organizationPerMinute: number | null;
  memberPerMinute: number | null;
}

/** The schema and table the counters live in (created at runtime, outside Prisma's `public`). */
export const RATE_LIMIT_SCHEMA = "studio_rate_limits";
export const GATEWAY_CALLS_TABLE = "gateway_calls";
const KEY_PREFIX = "calls";
const WINDOW_SECONDS = 60;

/** How fresh an organisation's limits are kept while it calls... */
const LIMITS_REFRESH_MS = 3_000;
/** ...and how long a copy may serve at most. */
const LIMITS_TTL_MS = 10_000;

interface CachedLimits {
  value: { callsPerMinute: number | null; memberCallsPerMinute: number | null };
  refreshAt: number;
  expiresAt: number;
  refreshing: boolean;
}

type Limiter = RateLimiterPostgres;

export class GatewayRateLimits {
  private readonly organizations = new Map<string, CachedLimits>();
  /** One limiter per allowance (the library's limiters have a fixed number of points), one table. */
  private readonly limiters = new Map<number, Limiter>();
  private store: Promise<void> | null = null;
  private readonly blocks = new PointBlocks((points) => this.limiter(points));

  constructor(
    readonly pool: SqlPool,
    readonly defaults: RateLimitDefaults | undefined,
  ) {}

  /** Throws a 429 GatewayRefusal (with Retry-After) when this call is one too many. */
  async admit(session: GatewaySession): Promise<void> {
    const limits = await this.limitsFor(session.organizationId);
    if (limits.organizationPerMinute === null && limits.memberPerMinute === null) return;
    await this.ensureStore().catch(() => {
      throw new GatewayRefusal(
        503,
        "The studio cannot count model calls right now. Try again in a moment.",
        "studio_gateway_error",
        { "retry-after": "5" },
      );
    });
    const checks: { key: string; points: number; level: "organization" | "member" }[] = [];
    if (limits.organizationPerMinute !== null)
      checks.push({
        key: `org:${session.organizationId}`,
        points: limits.organizationPerMinute,
        level: "organization",
      });
    if (limits.memberPerMinute !== null)
      checks.push({
        key: `member:${session.organizationId}:${session.userId}`,
        points: limits.memberPerMinute,
        level: "member",
      });
    const outcomes = await Promise.all(
      checks.map(async (check) => ({ check, outcome: await this.blocks.take(check.key, check.points) })),
    );
    const refused = outcomes.find(({ outcome }) => !outcome.taken);
    if (!refused || refused.outcome.taken) return;
    // The call is not made, so the levels that let it through give its point back: their counts
    // stay the calls actually made.
    for (const { check, outcome } of outcomes)
      if (outcome.taken) void this.blocks.giveBack(check.key, check.points);
    const seconds = Math.max(1, Math.ceil(refused.outcome.msBeforeNext / 1000));
    const { points, level } = refused.check;
    const message =
      level === "organization"
        ? `This organisation has made ${points} model calls this minute, its limit. Try again in ${seconds} seconds.`
        : `You have made ${points} model calls this minute, the limit for each member of this organisation. Try again in ${seconds} seconds.`;
    throw new GatewayRefusal(429, message, "rate_limited", { "retry-after": String(seconds) });
  }

  /**
   * The organisation's limits: its own columns (cached), never above the studio's, whose defaults
   * apply where it sets none. An organisation may hold itself to less, not take more.
   */
  async limitsFor(organizationId: string): Promise<OrganizationRateLimits> {
    const columns = await this.organizationColumns(organizationId);
    return {
      organizationPerMinute: tighter(columns.callsPerMinute, this.defaults?.organizationPerMinute ?? null),
      memberPerMinute: tighter(columns.memberCallsPerMinute, this.defaults?.memberPerMinute ?? null),
    };
  }

  private async organizationColumns(organizationId: string): Promise<CachedLimits["value"]> {
    const cached = this.organizations.get(organizationId);
    const now = Date.now();
    if (cached && cached.expiresAt > now) {
      if (cached.refreshAt <= now && !cached.refreshing) {
        cached.refreshing = true;
        this.loadOrganization(organizationId).catch(() => {
          cached.refreshing = false; // the next call tries again
        });
      }
      return cached.value;
    }
    return this.loadOrganization(organizationId);
  }

  private async loadOrganization(organizationId: string): Promise<CachedLimits["value"]> {
    const { rows } = await this.pool.query<{
      calls_per_minute: number | null;
      member_calls_per_minute: number | null;
    }>("SELECT calls_per_minute, member_calls_per_minute FROM organizations WHERE id = $1", [organizationId]);
    const value = {
      callsPerMinute: rows[0]?.calls_per_minute ?? null,
      memberCallsPerMinute: rows[0]?.member_calls_per_minute ?? null,
    };
    const loadedAt = Date.now();
    this.organizations.set(organizationId, {
      value,
      refreshAt: loadedAt + LIMITS_REFRESH_MS,
      expiresAt: loadedAt + LIMITS_TTL_MS,
      refreshing: false,
    });
    if (this.organizations.size > 10_000) {
      for (const [key, entry] of this.organizations)
        if (entry.expiresAt <= loadedAt) this.organizations.delete(key);
    }
    return value;
  }

  /** Forgets an organisation's cached limits (after its settings change on this replica). */
  forgetOrganization(organizationId: string): void {
    this.organizations.delete(organizationId);
  }

  /**
   * The schema and the library's table, made once per process and only when some limit is set.
   * Replicas starting together may race to make them: whoever loses finds them made.
   */
  private ensureStore(): Promise<void> {
    this.store ??= (async () => {
      try {
        await this.pool.query(`CREATE SCHEMA IF NOT EXISTS "${RATE_LIMIT_SCHEMA}"`);
        // The library's own columns, but UNLOGGED: counts for the current minute need no crash
        // safety, and without WAL a call's count commits without waiting for a disk flush (the
        // gateway's cost per call with limits on; see the gateway benchmark).
        await this.pool.query(
          `CREATE UNLOGGED TABLE IF NOT EXISTS "${RATE_LIMIT_SCHEMA}"."${GATEWAY_CALLS_TABLE}" (
            key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
        );
      } catch (error) {
        if (!isDuplicate(error)) throw error;
      }
      await new Promise<void>((resolve, reject) => {
        const first = new RateLimiterPostgres(
          { ...this.limiterOptions(1), tableCreated: false },
          (error?: unknown) => (error && !isDuplicate(error) ? reject(error) : resolve()),
        );
        this.limiters.set(1, first);
      });
    })().catch((error: unknown) => {
      this.store = null; // the next call tries again
      throw error;
    });
    return this.store;
  }

  private limiter(points: number): Limiter {
    let limiter = this.limiters.get(points);
    if (!limiter) {
      limiter = new RateLimiterPostgres({ ...this.limiterOptions(points), tableCreated: true });
      this.limiters.set(points, limiter);
    }
    return limiter;
  }

  private limiterOptions(points: number) {
    return {
      storeClient: this.pool,
      storeType: "pool",
      schemaName: RATE_LIMIT_SCHEMA,
      tableName: GATEWAY_CALLS_TABLE,
      keyPrefix: KEY_PREFIX,
      points,
      duration: WINDOW_SECONDS,
      // Should the database fail, each replica counts on its own rather than refusing every call.
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: KEY_PREFIX, points, duration: WINDOW_SECONDS }),
    };
  }
}

/** The smaller of two limits, where null is none. */
function tighter(own: number | null, studio: number | null): number | null {
  if (own === null) return studio;
  return studio === null ? own : Math.min(own, studio);
}

/** Made at the same moment by another replica (a unique violation, or "already exists"). */
function isDuplicate(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === "42P06" || code === "42P07";
}
