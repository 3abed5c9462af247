// API requests per client address: a generous allowance (API_REQUESTS_PER_MINUTE_PER_ADDRESS, 600 a
// minute by default) so one address cannot exhaust the studio. It guards the replica, it is not a
// quota: counted in each replica's memory (rate-limiter-flexible's memory store), so behind a load
// balancer one address may make up to the allowance on every replica, which is still bounded and in
// proportion to the capacity serving it. Counting in PostgreSQL would add a write to every request,
// the very load this limit is there to keep off the database. Quotas that must be exact across
// replicas (model calls, sign-ups, token creation) are counted in PostgreSQL.
import { isIP } from "node:net";
import { AppError, ipv6Value, specialAddressKind } from "@studio/core";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

const WINDOW_SECONDS = 60;

/**
 * The routes counted: the typed API and the studio's own HTTP API routes. Not the model and git
 * gateways (sandboxes call them, many behind one address; model calls have their own limits per
 * organisation and member), not health checks, previews or the web app's files.
 */
export function isClientLimitedPath(url: string): boolean {
  if (!url.startsWith("/api/")) return false;
  if (url.startsWith("/api/llm/") || url.startsWith("/api/git/")) return false;
  return !(url === "/api/health" || url.startsWith("/api/health?"));
}

/**
 * Whom a request is counted against: its address, or for IPv6 its /64 (one subscriber's network,
 * where any address is theirs to take). Loopback is the studio's own machine (one person's laptop;
 * behind a proxy, set TRUST_PROXY so real addresses are seen): not counted, as with sign-ups.
 */
export function clientKey(address: string | null): string | null {
  if (!address) return null;
  const family = isIP(address);
  if (family === 0 || specialAddressKind(address) === "loopback") return null;
  if (family === 4) return address;
  const network = ipv6Value(address.split("%")[0]!) >> 64n;
  const groups = [48n, 32n, 16n, 0n].map((shift) => ((network >> shift) & 0xffffn).toString(16));
  return `${groups.join(":")}::/64`;
}

export class ClientRequestLimits {
  readonly #limiter: RateLimiterMemory | null;

  /** `requestsPerMinute` null: no limit. */
  constructor(readonly requestsPerMinute: number | null) {
    this.#limiter =
      requestsPerMinute === null
        ? null
        : new RateLimiterMemory({ keyPrefix: "api", points: requestsPerMinute, duration: WINDOW_SECONDS });
  }

  /** Counts one request from `address`: null when it may go on, else the refusal to answer it with. */
  async admit(address: string | null): Promise<AppError | null> {
    const key = this.#limiter ? clientKey(address) : null;
    if (!this.#limiter || key === null) return null;
    try {
      await this.#limiter.consume(key);
      return null;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      return new AppError(
        "TOO_MANY_REQUESTS",
        `Too many requests from your network (at most ${this.requestsPerMinute} a minute). Try again in ${seconds} seconds.`,
        { retryAfterSeconds: seconds },
      );
    }
  }
}
