// Hard budgets admitted from allowances, across two replicas on one database: most calls pass
// without reading the database, what allowances admit never goes past the budget, the ledger stays
// exact, and a replica that holds room it does not use gives it back when another one needs it.
import { setBudget, setBudgetInput } from "@studio/core";
import { createNotificationListener, type NotificationListener } from "@studio/db/notifications";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rootMembers } from "./metering/index.ts";
import {
  addSession,
  type GatewayFixture,
  seedSession,
  startGatewayFixture,
} from "./test-support/gateway-fixture.ts";
import { worstCaseCostMicroUsd } from "./worst-case.ts";

const database = useTestDatabase();

// grok-4 list price: $3 in, $15 out per million → 1,000 in + 1,000 out = 18,000 micro-USD.
const CALL = { steps: [{ text: "ok" }], usage: { inputTokens: 1000, outputTokens: 1000 } };
const CALL_COST = 18_000n;
const LIMIT = 100n * CALL_COST;
// The request's own cap bounds its output, so the gateway knows its worst case.
const BODY = JSON.stringify({ model: "grok-4", stream: true, input: "hi", max_output_tokens: 1000 });
const WORST_CASE = worstCaseCostMicroUsd(
  "responses",
  Buffer.from(BODY),
  rootMembers(Buffer.from(BODY))!,
  { inputPerMTok: 3_000_000n, outputPerMTok: 15_000_000n, cachedInputPerMTok: 750_000n },
  0,
)!;

async function call(url: string, token: string) {
  const response = await fetch(`${url}/xai/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: BODY,
  });
  await response.text();
  return response.status;
}

let replicas: { fixture: GatewayFixture; notifications: NotificationListener }[] = [];
beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const notifications = await createNotificationListener(database.url);
    replicas.push({ fixture: await startGatewayFixture(database, { notifications }), notifications });
  }
});
afterAll(async () => {
  for (const { fixture, notifications } of replicas) {
    await fixture.close();
    await notifications.close();
  }
  replicas = [];
});

/** An organisation with a hard monthly budget for 100 calls, and `sessions` sessions of its owner. */
async function organizationWithBudget(sessions: number) {
  const { fixture } = replicas[0]!;
  const owner = await seedSession(database.db, fixture.keyring, {
    provider: "xai",
    model: "grok-4",
    creditsMicroUsd: 1_000_000_000n,
  });
  const { organizationId } = owner;
  await setBudget(
    database.db,
    { userId: owner.userId, organizationId },
    setBudgetInput.parse({ scope: "organization", limitMicroUsd: Number(LIMIT) }),
  );
  const tokens = [owner.token];
  while (tokens.length < sessions)
    tokens.push((await addSession(database.db, organizationId, { userId: owner.userId })).token);
  // Budgets are read at most 2 s late by each replica: wait that out once.
  await new Promise((resolve) => setTimeout(resolve, 2_100));
  return { organizationId, tokens };
}

async function ledgerOf(organizationId: string) {
  await Promise.all(replicas.map(({ fixture }) => fixture.gateway.settled()));
  const entries = await database.db.ledgerEntry.findMany({
    where: { organizationId, kind: "usage" },
    select: { idempotencyKey: true, costMicroUsd: true },
  });
  const spendRows = await database.db.budgetSpendDay.findMany({ where: { organizationId, subject: "org" } });
  return {
    entries,
    cost: entries.reduce((sum, entry) => sum + entry.costMicroUsd, 0n),
    spent: spendRows.reduce((sum, row) => sum + row.spentMicroUsd, 0n),
  };
}

const admissions = () => replicas.map(({ fixture }) => fixture.gateway.budgetAdmissions());

describe("hard budgets admitted from allowances", () => {
  it("admit most calls from memory across two replicas, never past the budget, with an exact ledger", async () => {
    const { organizationId, tokens } = await organizationWithBudget(4);
    const before = admissions();
    const TOTAL = 1_000;
    const IN_FLIGHT = 100; // per replica, so 200 at once
    for (const { fixture } of replicas)
      fixture.upstream.enqueue(...Array.from({ length: TOTAL }, () => CALL));
    // The first calls on each replica are admitted by reading: one has it look up the model's price,
    // the next has it ask for an allowance. The burst starts once both replicas hold one: on a busy
    // machine a grant can take a while, and a burst started before it would be admitted by reading.
    const statuses: number[] = [];
    const holders = async () => {
      const held = await database.db.budgetAllowance.findMany({
        where: { organizationId, remainingMicroUsd: { gt: 0n } },
        select: { holder: true },
      });
      return new Set(held.map(({ holder }) => holder)).size;
    };
    for (const [i, { fixture }] of replicas.entries())
      await expect
        .poll(
          async () => {
            statuses.push(await call(fixture.url, tokens[0]!));
            return holders();
          },
          { interval: 250 },
        )
        .toBe(i + 1);
    expect(statuses.every((status) => status === 200)).toBe(true);

    let next = statuses.length;
    async function worker(url: string, lane: number) {
      while (next < TOTAL) {
        const n = next++;
        statuses.push(await call(url, tokens[(n + lane) % tokens.length]!));
      }
    }
    await Promise.all(
      replicas.flatMap(({ fixture }) =>
        Array.from({ length: IN_FLIGHT }, (_, lane) => worker(fixture.url, lane)),
      ),
    );
    const ledger = await ledgerOf(organizationId);

    // Refused: 402 for the budget, then 401 once a refused session has been stopped.
    expect(statuses.every((status) => [200, 401, 402].includes(status))).toBe(true);
    expect(statuses).toContain(402);
    const admitted = statuses.filter((status) => status === 200).length;
    const [a, b] = admissions().map((after, i) => ({
      fromAllowances: after.fromAllowances - before[i]!.fromAllowances,
      byReading: after.byReading - before[i]!.byReading,
    }));
    expect(a!.fromAllowances + a!.byReading + b!.fromAllowances + b!.byReading).toBe(admitted);
    // Both replicas admitted from memory, most calls so.
    expect(a!.fromAllowances).toBeGreaterThan(0);
    expect(b!.fromAllowances).toBeGreaterThan(0);
    const fromAllowances = a!.fromAllowances + b!.fromAllowances;
    expect(fromAllowances).toBeGreaterThan(admitted / 2);
    // Allowances are never granted from the budget's last tenth: what they admitted fits in the rest.
    expect(BigInt(fromAllowances) * CALL_COST).toBeLessThanOrEqual(LIMIT - LIMIT / 10n);
    // Only calls admitted by reading can go past the budget, and at most those in flight at once.
    expect(admitted - 100).toBeLessThanOrEqual(a!.byReading + b!.byReading);
    expect(admitted).toBeLessThanOrEqual(100 + 2 * IN_FLIGHT);
    // Refused early by no more than calls in flight held beyond what they cost.
    expect(BigInt(admitted)).toBeGreaterThanOrEqual(LIMIT / WORST_CASE);

    // Exact: one ledger entry per admitted call, and the budget's spend is the ledger's.
    expect(ledger.entries).toHaveLength(admitted);
    expect(new Set(ledger.entries.map((entry) => entry.idempotencyKey)).size).toBe(admitted);
    expect(ledger.cost).toBe(BigInt(admitted) * CALL_COST);
    expect(ledger.spent).toBe(ledger.cost);
  });

  it("has a replica give back room it holds when another needs it, so the budget is spent to the end", async () => {
    const { organizationId, tokens } = await organizationWithBudget(1);
    const [first, second] = replicas.map(({ fixture }) => fixture);
    first!.upstream.enqueue(...Array.from({ length: 3 }, () => CALL));
    second!.upstream.enqueue(...Array.from({ length: 200 }, () => CALL));
    // The first replica takes an allowance (32 worst cases: a third of the budget) and goes quiet.
    for (let i = 0; i < 3; i++) expect(await call(first!.url, tokens[0]!)).toBe(200);
    await expect
      .poll(async () => {
        const held = await database.db.budgetAllowance.aggregate({
          where: { organizationId },
          _sum: { remainingMicroUsd: true },
        });
        return held._sum.remainingMicroUsd ?? 0n;
      })
      .toBeGreaterThan(20n * CALL_COST);

    // The second spends the rest, one call at a time (each in the ledger before the next), until refused.
    let admitted = 3;
    while ((await call(second!.url, tokens[0]!)) === 200) {
      admitted += 1;
      await second!.gateway.settled();
    }
    // Refused at the budget exactly, not a third early: the first gave its room back when asked.
    expect(admitted).toBe(100);
    const ledger = await ledgerOf(organizationId);
    expect(ledger.cost).toBe(LIMIT);
    expect(ledger.spent).toBe(LIMIT);
  });
});
