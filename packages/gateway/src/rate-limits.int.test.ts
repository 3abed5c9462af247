// Model calls per minute across two replicas (two gateways on one database): the counts are shared,
// the call past a limit is 429 with Retry-After on either replica, members are counted apart, and an
// organisation without limits is never counted at all.
import http from "node:http";
import { newKeyring, seedListPrices } from "@studio/core";
import type { Db } from "@studio/db";
import { silentLogger } from "@studio/models";
import { type ScriptedModelServer, startScriptedModelServer } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "./gateway.ts";
import { GATEWAY_CALLS_TABLE, RATE_LIMIT_SCHEMA, type RateLimitDefaults } from "./rate-limits.ts";
import { addSession, PLATFORM_KEY, seedSession } from "./test-support/gateway-fixture.ts";

const database = useTestDatabase();
let upstream: ScriptedModelServer;
const servers: http.Server[] = [];

interface Replica {
  url: string;
  gateway: Gateway;
}

async function startReplica(rateLimits: RateLimitDefaults): Promise<Replica> {
  const platform = { baseUrl: upstream.url, apiKey: PLATFORM_KEY };
  const gateway = createGateway({
    db: database.db,
    pool: database.pool,
    keyring: newKeyring(),
    upstreams: { xai: platform, anthropic: platform, openai: platform, google: platform },
    tenantPrivateNetwork: "allow",
    logger: silentLogger,
    rateLimits,
  });
  const server = http.createServer((req, res) => void gateway.handle(req, res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/api/llm`, gateway };
}

const ANSWER = { steps: [{ text: "ok" }], usage: { inputTokens: 10, outputTokens: 10 } };
const UNLIMITED: RateLimitDefaults = { organizationPerMinute: null, memberPerMinute: null };
// Two replicas with no studio defaults (organisations' own columns only), two with defaults.
let plain: [Replica, Replica];
let defaulted: [Replica, Replica];

beforeAll(async () => {
  await seedListPrices(database.db);
  upstream = await startScriptedModelServer({ expectedKey: [PLATFORM_KEY], defaultReply: ANSWER });
  plain = [await startReplica(UNLIMITED), await startReplica(UNLIMITED)];
  defaulted = [
    await startReplica({ organizationPerMinute: 3, memberPerMinute: null }),
    await startReplica({ organizationPerMinute: 3, memberPerMinute: null }),
  ];
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await upstream?.close();
});

async function call(replica: Replica, token: string) {
  const before = upstream.requests.length;
  const response = await fetch(`${replica.url}/xai/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ model: "grok-4", stream: true, input: "hi" }),
  });
  const text = await response.text();
  await replica.gateway.settled();
  const forwarded = upstream.requests.length > before;
  // A refused call never reaches the provider; every other one does.
  expect(forwarded).toBe(response.status === 200);
  return { status: response.status, retryAfter: response.headers.get("retry-after"), text };
}

async function organisation(limits: { callsPerMinute?: number; memberCallsPerMinute?: number } = {}) {
  const seeded = await seedSession(database.db, newKeyring(), {
    provider: "xai",
    model: "grok-4",
    creditsMicroUsd: 1_000_000_000n,
  });
  await database.db.organization.update({ where: { id: seeded.organizationId }, data: limits });
  return seeded;
}

/** Another live session in the organisation: for a new member, or for the same one. */
const anotherSession = async (db: Db, organizationId: string, userId?: string) => {
  const { token, userId: member } = await addSession(db, organizationId, userId ? { userId } : {});
  return { token, userId: member };
};

function expectRateLimited(result: Awaited<ReturnType<typeof call>>, limit: RegExp) {
  expect(result.status).toBe(429);
  expect(Number(result.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(result.retryAfter)).toBeLessThanOrEqual(60);
  expect(Number.isInteger(Number(result.retryAfter))).toBe(true);
  const body = JSON.parse(result.text) as { error: { type: string; message: string } };
  expect(body.error.type).toBe("rate_limited");
  expect(body.error.message).toMatch(limit);
}

describe("model calls per minute", () => {
  it("are counted across both replicas: N split over them pass, the next is 429 on either", async () => {
    const { token } = await organisation({ callsPerMinute: 5 });
    const [a, b] = plain;
    const sent = upstream.requests.length;
    for (const replica of [a, b, a, b, a]) expect((await call(replica, token)).status).toBe(200);
    expectRateLimited(
      await call(b, token),
      /This organisation has made 5 model calls this minute, its limit/,
    );
    expectRateLimited(await call(a, token), /its limit/);
    expect(upstream.requests.length - sent).toBe(5);
  });

  it("hold each member to the member limit, apart from the others", async () => {
    const first = await organisation({ memberCallsPerMinute: 2 });
    const [a, b] = plain;
    // The same member in a second session shares the count.
    const sameMember = await anotherSession(database.db, first.organizationId, first.userId);
    const otherMember = await anotherSession(database.db, first.organizationId);
    expect((await call(a, first.token)).status).toBe(200);
    expect((await call(b, sameMember.token)).status).toBe(200);
    expectRateLimited(await call(b, first.token), /the limit for each member of this organisation/);
    expectRateLimited(await call(a, sameMember.token), /each member/);
    expect((await call(b, otherMember.token)).status).toBe(200);
    expect((await call(a, otherMember.token)).status).toBe(200);
    expectRateLimited(await call(a, otherMember.token), /each member/);
  });

  it("count only the calls made: a member refused does not use up the organisation's allowance", async () => {
    const first = await organisation({ callsPerMinute: 3, memberCallsPerMinute: 1 });
    const [a, b] = plain;
    const other = await anotherSession(database.db, first.organizationId);
    const third = await anotherSession(database.db, first.organizationId);
    expect((await call(a, first.token)).status).toBe(200);
    for (let attempt = 0; attempt < 4; attempt++)
      expectRateLimited(await call(b, first.token), /each member/);
    expect((await call(b, other.token)).status).toBe(200);
    expect((await call(a, third.token)).status).toBe(200);
    const fourth = await anotherSession(database.db, first.organizationId);
    expectRateLimited(await call(b, fourth.token), /This organisation has made 3 model calls/);
  });

  it("leave an organisation without limits alone, never counting its calls", async () => {
    const { token, organizationId, userId } = await organisation();
    const [a, b] = plain;
    for (let index = 0; index < 12; index++) expect((await call(index % 2 ? a : b, token)).status).toBe(200);
    const counted = await database.pool
      .query(
        `SELECT key FROM "${RATE_LIMIT_SCHEMA}"."${GATEWAY_CALLS_TABLE}" WHERE key LIKE $1 OR key LIKE $2`,
        [`%${organizationId}%`, `%${userId}%`],
      )
      .catch(() => ({ rows: [] }));
    expect(counted.rows).toEqual([]);
  });

  it("do not hold one organisation back for another's calls", async () => {
    const busy = await organisation({ callsPerMinute: 2 });
    const calm = await organisation({ callsPerMinute: 2 });
    const [a, b] = plain;
    expect((await call(a, busy.token)).status).toBe(200);
    expect((await call(b, busy.token)).status).toBe(200);
    expectRateLimited(await call(a, busy.token), /its limit/);
    expect((await call(a, calm.token)).status).toBe(200);
    expect((await call(b, calm.token)).status).toBe(200);
  });

  it("take the studio's default where the organisation sets none, and let it set less, never more", async () => {
    const [c, d] = defaulted;
    const usual = await organisation();
    for (const replica of [c, d, c]) expect((await call(replica, usual.token)).status).toBe(200);
    expectRateLimited(await call(d, usual.token), /This organisation has made 3 model calls/);
    const strict = await organisation({ callsPerMinute: 2 });
    for (const replica of [c, d]) expect((await call(replica, strict.token)).status).toBe(200);
    expectRateLimited(await call(c, strict.token), /made 2 model calls/);
    const greedy = await organisation({ callsPerMinute: 50 });
    for (const replica of [c, d, c]) expect((await call(replica, greedy.token)).status).toBe(200);
    expectRateLimited(await call(d, greedy.token), /made 3 model calls/);
  });
});
