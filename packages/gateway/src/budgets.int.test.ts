// Budgets at the gateway: a hard budget refuses the next call with 402, its headers and a notice in
// the session; a soft one does not. Across two replicas under concurrency, no call sent after a
// refusal was seen is admitted, the overspend stays within the calls in flight, and the ledger and
// the budgets' spend agree exactly, nothing charged twice.
import { newId, setBudget, setBudgetInput } from "@studio/core";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, describe, expect, it } from "vitest";
import {
  addSession,
  type GatewayFixture,
  seedSession,
  startGatewayFixture,
  useGatewayFixture,
} from "./test-support/gateway-fixture.ts";

const database = useTestDatabase();
const fixture = useGatewayFixture(database);

// grok-4 list price: $3 in, $15 out per million → 1,000 in + 1,000 out = 18,000 micro-USD.
const CALL = { steps: [{ text: "ok" }], usage: { inputTokens: 1000, outputTokens: 1000 } };
const CALL_COST = 18_000n;

async function call(url: string, token: string) {
  const response = await fetch(`${url}/xai/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ model: "grok-4", stream: true, input: "hi" }),
  });
  const body = await response.text();
  return { status: response.status, headers: response.headers, body };
}

async function settledCall(token: string) {
  const answer = await call(fixture.url, token);
  await fixture.gateway.settled();
  return answer;
}

/** Another session in the same organisation, for `userId`, perhaps started with an API token. */
const anotherSession = (organizationId: string, userId: string, apiTokenId: string | null = null) =>
  addSession(database.db, organizationId, { userId, apiTokenId });

async function newMember(organizationId: string) {
  const userId = newId();
  await database.db.user.create({
    data: { id: userId, email: `${userId}@example.com`, name: "M", passwordHash: "x" },
  });
  await database.db.membership.create({ data: { id: newId(), organizationId, userId, role: "member" } });
  return userId;
}

const budget = (input: Record<string, unknown>) => setBudgetInput.parse(input);

describe("budgets at the gateway", () => {
  it("refuse a call once a hard budget is spent, at each scope, and tell the session", async () => {
    const owner = await seedSession(database.db, fixture.keyring, {
      provider: "xai",
      model: "grok-4",
      creditsMicroUsd: 10_000_000n,
    });
    const { organizationId } = owner;
    await database.db.membership.create({
      data: { id: newId(), organizationId, userId: owner.userId, role: "owner" },
    });
    const actor = { userId: owner.userId, organizationId };
    const alice = await newMember(organizationId);
    const bob = await newMember(organizationId);
    const aliceSession = await anotherSession(organizationId, alice);
    const bobSession = await anotherSession(organizationId, bob);
    const apiToken = await database.db.apiToken.create({
      data: { id: newId(), userId: bob, organizationId, name: "CI", secretHash: Buffer.from(newId()) },
    });
    const program = await anotherSession(organizationId, bob, apiToken.id);
    fixture.upstream.enqueue(...Array.from({ length: 12 }, () => CALL));

    // Members' default: $0.02 a day, so one call each; Bob's own is soft.
    await setBudget(
      database.db,
      actor,
      budget({ scope: "member_default", period: "day", limitMicroUsd: 20_000 }),
    );
    await setBudget(
      database.db,
      actor,
      budget({ scope: "member", userId: bob, limitMicroUsd: 20_000, hard: false }),
    );
    await setBudget(
      database.db,
      actor,
      budget({ scope: "api_token", apiTokenId: apiToken.id, limitMicroUsd: 30_000 }),
    );
    // Budgets are read at most 2 s late by each replica: wait that out once.
    await new Promise((resolve) => setTimeout(resolve, 2_100));

    expect((await settledCall(aliceSession.token)).status).toBe(200);
    expect((await settledCall(aliceSession.token)).status).toBe(200); // 36,000 of 20,000 now
    const before = fixture.upstream.requests.length;
    const refused = await settledCall(aliceSession.token);
    expect(refused.status).toBe(402);
    expect(fixture.upstream.requests.length).toBe(before);
    expect(JSON.parse(refused.body).error).toMatchObject({
      type: "budget_exceeded",
      message: expect.stringMatching(
        /^Your daily budget of \$0\.02 is spent\. It resets on \d{1,2} [A-Z][a-z]+ \d{4} at 00:00 \(UTC\)\.$/,
      ),
    });
    expect(refused.headers.get("x-studio-budget-scope")).toBe("member_default");
    expect(refused.headers.get("x-studio-budget-remaining-micro-usd")).toBe("0");
    expect(refused.headers.get("x-studio-budget-limit-micro-usd")).toBe("20000");
    expect(Date.parse(refused.headers.get("x-studio-budget-resets-at")!)).toBeGreaterThan(Date.now());
    const notices = await database.db.sessionEvent.findMany({
      where: { sessionId: aliceSession.session.id, type: "notice" },
    });
    expect(notices.map((event) => (event.payload as { code: string }).code)).toEqual(["budget_reached"]);
    // And the session stops, saying why; its token opens nothing more.
    const stopped = await database.db.studioSession.findUniqueOrThrow({
      where: { id: aliceSession.session.id },
    });
    expect(stopped.status).toBe("stopped");
    const ended = await database.db.sessionEvent.findFirstOrThrow({
      where: { sessionId: aliceSession.session.id, type: "session_ended" },
    });
    expect((ended.payload as { reason: string }).reason).toMatch(/^Your daily budget of \$0\.02 is spent\./);
    expect((await settledCall(aliceSession.token)).status).toBe(401);
    // The owner's own sessions are under the same default, untouched by Alice's spend.
    expect((await settledCall(owner.token)).status).toBe(200);

    // Bob's soft budget only alerts: over it, his calls go on.
    for (let i = 0; i < 3; i++) expect((await settledCall(bobSession.token)).status).toBe(200);
    // A program with his token is also under the token's hard budget: 2 calls, then refused.
    expect((await settledCall(program.token)).status).toBe(200);
    expect((await settledCall(program.token)).status).toBe(200);
    const tokenRefused = await settledCall(program.token);
    expect(tokenRefused.status).toBe(402);
    expect(tokenRefused.headers.get("x-studio-budget-scope")).toBe("api_token");
    expect((await settledCall(bobSession.token)).status).toBe(200);

    // Alerts: a row per threshold crossed, once (50, 80, 100 % for Alice's, Bob's and the token's).
    const alerts = await database.db.budgetAlert.findMany({ where: { organizationId } });
    const bySubject = (prefix: string) =>
      alerts
        .filter((a) => a.subject.startsWith(prefix))
        .map((a) => a.percent)
        .sort((a, b) => a - b);
    expect(bySubject(`member:${alice}`)).toEqual([50, 80, 100]);
    expect(bySubject(`member:${bob}`)).toEqual([50, 80, 100]);
    expect(bySubject(`token:${apiToken.id}`)).toEqual([50, 80, 100]);
  });
});

describe("a hard budget across two replicas under concurrency", () => {
  let second: GatewayFixture | undefined;
  afterAll(async () => second?.close());

  it("admits nothing sent after a refusal, overspends by no more than the calls in flight, and keeps the ledger exact", async () => {
    second = await startGatewayFixture(database);
    const owner = await seedSession(database.db, fixture.keyring, {
      provider: "xai",
      model: "grok-4",
      creditsMicroUsd: 1_000_000_000n,
    });
    const { organizationId } = owner;
    const actor = { userId: owner.userId, organizationId };
    // Room for 100 calls this month.
    await setBudget(
      database.db,
      actor,
      budget({ scope: "organization", limitMicroUsd: Number(100n * CALL_COST) }),
    );
    const sessions = [owner.token];
    for (let i = 0; i < 3; i++) sessions.push((await anotherSession(organizationId, owner.userId)).token);
    const TOTAL = 1_000;
    const IN_FLIGHT = 100; // per replica, so 200 at once
    fixture.upstream.enqueue(...Array.from({ length: TOTAL }, () => CALL));
    second.upstream.enqueue(...Array.from({ length: TOTAL }, () => CALL));
    await new Promise((resolve) => setTimeout(resolve, 2_100));

    const replicas = [fixture.url, second.url];
    const results: { sentAt: number; answeredAt: number; status: number }[] = [];
    let next = 0;
    async function worker(replica: string, lane: number) {
      while (next < TOTAL) {
        const n = next++;
        const sentAt = performance.now();
        const { status } = await call(replica, sessions[(n + lane) % sessions.length]!);
        results.push({ sentAt, answeredAt: performance.now(), status });
      }
    }
    await Promise.all(
      replicas.flatMap((replica) => Array.from({ length: IN_FLIGHT }, (_, lane) => worker(replica, lane))),
    );
    await Promise.all([fixture.gateway.settled(), second.gateway.settled()]);

    expect(results).toHaveLength(TOTAL);
    // Refused: 402 for the budget, then 401 once the refused session has been stopped.
    expect(results.every((r) => [200, 401, 402].includes(r.status))).toBe(true);
    const admitted = results.filter((r) => r.status === 200);
    const firstRefusalSeen = Math.min(...results.filter((r) => r.status !== 200).map((r) => r.answeredAt));
    // Once one replica refused, the budget was in the ledger for both: nothing sent later got in.
    expect(admitted.filter((r) => r.sentAt > firstRefusalSeen)).toEqual([]);
    // The overspend is the calls in flight when it was reached: at most the 200 sent at once.
    expect(admitted.length).toBeGreaterThanOrEqual(100);
    expect(admitted.length).toBeLessThanOrEqual(100 + 2 * IN_FLIGHT);
    expect(results.filter((r) => r.status === 402).length).toBeGreaterThan(0);

    // Exact: one ledger entry per admitted call, and the budget's spend is the ledger's.
    const entries = await database.db.ledgerEntry.findMany({
      where: { organizationId, kind: "usage" },
      select: { idempotencyKey: true, costMicroUsd: true },
    });
    expect(entries).toHaveLength(admitted.length);
    expect(new Set(entries.map((e) => e.idempotencyKey)).size).toBe(entries.length);
    const ledgerCost = entries.reduce((sum, e) => sum + e.costMicroUsd, 0n);
    expect(ledgerCost).toBe(BigInt(admitted.length) * CALL_COST);
    const spendRows = await database.db.budgetSpendDay.findMany({
      where: { organizationId, subject: "org" },
    });
    expect(spendRows.reduce((sum, d) => sum + d.spentMicroUsd, 0n)).toBe(ledgerCost);
  });
});
