// Platform credits running out mid-session and per-session budgets, through the gateway.
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { seedSession, useGatewayFixture } from "./test-support/gateway-fixture.ts";

const database = useTestDatabase();
const fixture = useGatewayFixture(database);

// grok-4 list price: $3 in, $15 out per million → 1,000 in + 1,000 out = 3,000 + 15,000 = 18,000 micro-USD.
const CALL = { steps: [{ text: "ok" }], usage: { inputTokens: 1000, outputTokens: 1000 } };
const CALL_COST = 18_000n;

async function call(token: string) {
  const response = await fetch(`${fixture.url}/xai/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ model: "grok-4", stream: true, input: "hi" }),
  });
  const body = await response.text();
  await fixture.gateway.settled();
  return { status: response.status, body };
}

describe("platform credits", () => {
  it("refuse the next call with 402 once they run out, tell the session once, and never charge twice", async () => {
    const { token, session, organizationId } = await seedSession(database.db, fixture.keyring, {
      provider: "xai",
      model: "grok-4",
      creditsMicroUsd: 30_000n,
    });
    fixture.upstream.enqueue(CALL, CALL);
    expect((await call(token)).status).toBe(200); // 30,000 → 12,000
    expect((await call(token)).status).toBe(200); // 12,000 → −6,000: the call was made, so it is owed
    const before = fixture.upstream.requests.length;
    const refused = await call(token);
    expect(refused.status).toBe(402);
    expect(JSON.parse(refused.body)).toEqual({
      error: { type: "insufficient_credits", message: "The organisation is out of platform credits." },
    });
    expect((await call(token)).status).toBe(402);
    expect(fixture.upstream.requests.length).toBe(before);

    const account = await database.db.creditAccount.findUniqueOrThrow({ where: { organizationId } });
    expect(account.balanceMicroUsd).toBe(30_000n - 2n * CALL_COST);
    const usage = await database.db.ledgerEntry.findMany({ where: { organizationId, kind: "usage" } });
    expect(usage.map((entry) => entry.amountMicroUsd)).toEqual([-CALL_COST, -CALL_COST]);
    const notices = await database.db.sessionEvent.findMany({
      where: { sessionId: session.id, type: "notice" },
    });
    expect(notices.map((event) => (event.payload as { code: string }).code)).toEqual(["out_of_credits"]);
  });

  it("are not touched by sessions on the organisation's own key", async () => {
    const { token, organizationId } = await seedSession(database.db, fixture.keyring, {
      provider: "xai",
      model: "grok-4",
      keySource: "direct",
      creditsMicroUsd: 0n,
      organizationKey: { provider: "xai", apiKey: "sk-org-PLANTED-abcdefghijklmnop" },
    });
    fixture.upstream.enqueue(CALL);
    expect((await call(token)).status).toBe(200);
    const [entry] = await database.db.ledgerEntry.findMany({ where: { organizationId, kind: "usage" } });
    expect(entry).toMatchObject({ amountMicroUsd: 0n, costMicroUsd: CALL_COST, keySource: "direct" });
  });
});

describe("session budget", () => {
  it("stops the session with budget_exceeded when a call crosses it, and refuses further calls", async () => {
    const { token, session } = await seedSession(database.db, fixture.keyring, {
      provider: "xai",
      model: "grok-4",
      creditsMicroUsd: 10_000_000n,
      budgetMicroUsd: 30_000n,
    });
    fixture.upstream.enqueue(CALL, CALL);
    expect((await call(token)).status).toBe(200); // spent 18,000 of 30,000
    expect((await call(token)).status).toBe(200); // spent 36,000: crossed
    const events = await database.db.sessionEvent.findMany({
      where: { sessionId: session.id, type: { in: ["budget_exceeded", "session_ended"] } },
      orderBy: { seq: "asc" },
    });
    expect(events.map((event) => event.payload)).toEqual([
      { type: "budget_exceeded", budgetMicroUsd: 30_000, spentMicroUsd: 36_000 },
      { type: "session_ended", reason: "Budget of $0.030000 reached" },
    ]);
    expect((await database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } })).status).toBe(
      "stopped",
    );
    const before = fixture.upstream.requests.length;
    expect((await call(token)).status).toBe(401);
    expect(fixture.upstream.requests.length).toBe(before);
  });
});
