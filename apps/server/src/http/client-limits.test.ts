import { describe, expect, it } from "vitest";
import { ClientRequestLimits, clientKey, isClientLimitedPath } from "./client-limits.ts";

describe("client keys", () => {
  it("count IPv4 addresses alone and IPv6 ones by their /64, in any spelling", () => {
    expect(clientKey("203.0.113.5")).toBe("203.0.113.5");
    expect(clientKey("2001:db8:1:2::7")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:0db8:0001:0002:ffff:0:0:1")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8:1:2:3:4:1.2.3.4")).toBe("2001:db8:1:2::/64");
    expect(clientKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });

  it("leave the studio's own machine and what is no address uncounted", () => {
    for (const address of [
      null,
      "127.0.0.1",
      "127.8.9.10",
      "::1",
      "0:0:0:0:0:0:0:1",
      "",
      "localhost",
      "1.2.3",
    ])
      expect(clientKey(address)).toBeNull();
  });
});

describe("limited paths", () => {
  it("are the typed API and HTTP API routes, not the gateways, health checks or the web app", () => {
    for (const url of [
      "/api/trpc/auth.me",
      "/api/usage/ledger.csv",
      "/api/uploads",
      "/api/previews/authorize?x",
    ])
      expect(isClientLimitedPath(url), url).toBe(true);
    for (const url of [
      "/api/llm/xai/v1/responses",
      "/api/git/repo.git/info/refs",
      "/api/health",
      "/api/health?deep",
      "/",
      "/assets/app.js",
      "/preview/3000/",
    ])
      expect(isClientLimitedPath(url), url).toBe(false);
  });
});

describe("client request limits", () => {
  it("refuse the request past the allowance with the wait, per key", async () => {
    const limits = new ClientRequestLimits(2);
    expect(await limits.admit("203.0.113.1")).toBeNull();
    expect(await limits.admit("203.0.113.1")).toBeNull();
    const refusal = await limits.admit("203.0.113.1");
    expect(refusal).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect(refusal?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refusal?.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await limits.admit("203.0.113.2")).toBeNull();
    for (let index = 0; index < 5; index++) expect(await limits.admit("127.0.0.1")).toBeNull();
  });

  it("count nothing when there is no limit", async () => {
    const limits = new ClientRequestLimits(null);
    for (let index = 0; index < 5; index++) expect(await limits.admit("203.0.113.1")).toBeNull();
  });
});
