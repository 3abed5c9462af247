// Recording many model calls in one statement must have exactly the effect of recording them one by
// one: the same entries and balances, the same session totals, the same events in the same order.
import { createNotificationListener } from "@studio/db/notifications";
import { seedSessionRow } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { hashSecret } from "../auth/secrets.ts";
import { EVENTS_CHANNEL, parseEventNotification } from "../sessions/event-log.ts";
import { newId } from "../shared/ids.ts";
import {
  type CallToRecord,
  changeCredits,
  type MeteredCall,
  recordModelCall,
  recordModelCalls,
} from "./ledger.ts";
import { seedListPrices } from "./prices.ts";

const database = useTestDatabase();
const options = { platformMarkupBps: 1000 };

/** Two organisations on platform credits; the first has two sessions, one of them with a budget. */
async function scenario() {
  await seedListPrices(database.db);
  const session = {
    provider: "anthropic",
    model: "claude-haiku-4-5",
    upstreamProvider: "anthropic",
    upstreamModel: "claude-haiku-4-5",
  } as const;
  const token = () => ({ gatewayTokenHash: hashSecret(newId()) });
  const first = await seedSessionRow(database.db, { ...session, ...token(), budgetMicroUsd: 9_000n });
  const second = await seedSessionRow(database.db, { ...session, ...token() });
  const sibling = await seedSessionRow(database.db, { ...session, ...token() }, { owner: first });
  for (const { organizationId, userId } of [first, second]) {
    const grant = { kind: "grant", amountMicroUsd: 1_000_000n, reason: "start", requestId: newId() } as const;
    await changeCredits(database.db, { organizationId, userId }, grant);
  }
  const sessions = [first.sessionId, second.sessionId, sibling.sessionId];
  // Haiku: 100 in + n out costs about 100 + 5n micro-USD before the 10% markup. The budgeted
  // session (calls 0, 3, 6, 9) crosses its 9,000 in call 6; the last call repeats call 2's id.
  const outputs = [900, 10, 1200, 20, 1500, 30, 700, 5, 400, 300, 15, 60];
  const calls: MeteredCall[] = outputs.map((outputTokens, index) => ({
    requestId: newId(),
    sessionId: sessions[index % 3 === 1 ? 1 : index % 3 === 2 ? 2 : 0]!,
    model: "claude-haiku-4-5",
    inputTokens: 100,
    outputTokens,
    cachedTokens: index,
    reasoningTokens: 0,
    estimated: index === 4,
    upstreamStatus: 200,
    at: new Date(Date.UTC(2026, 10, 20, 12, 0, index)),
  }));
  calls.push({ ...calls[2]! });
  return { organizations: [first.organizationId, second.organizationId], sessions, calls };
}

/** Everything recording left behind, with the scenario's ids replaced by their positions. */
async function outcome(world: Awaited<ReturnType<typeof scenario>>) {
  const sessionIndex = (id: string | null) => world.sessions.indexOf(id ?? "");
  const entries = await database.db.ledgerEntry.findMany({
    where: { organizationId: { in: world.organizations }, kind: "usage" },
    orderBy: { id: "asc" },
  });
  const balances = await database.db.creditAccount.findMany({
    where: { organizationId: { in: world.organizations } },
  });
  const sessions = await database.db.studioSession.findMany({ where: { id: { in: world.sessions } } });
  const events = await database.db.sessionEvent.findMany({
    where: { sessionId: { in: world.sessions } },
    orderBy: [{ sessionId: "asc" }, { seq: "asc" }],
  });
  return {
    entries: entries.map((e) => ({
      organization: world.organizations.indexOf(e.organizationId),
      session: sessionIndex(e.sessionId),
      amount: e.amountMicroUsd,
      cost: e.costMicroUsd,
      balanceAfter: e.balanceAfterMicroUsd,
      tokens: [e.inputTokens, e.outputTokens, e.cachedTokens, e.reasoningTokens],
      estimated: e.usageEstimated,
      createdAt: e.createdAt,
      priceId: e.priceId,
      markup: e.markupBps,
    })),
    balances: balances
      .map((b) => [world.organizations.indexOf(b.organizationId), b.balanceMicroUsd] as const)
      .sort((a, b) => a[0] - b[0]),
    sessions: sessions
      .map((s) => ({
        session: sessionIndex(s.id),
        totals: [s.totalInputTokens, s.totalOutputTokens, s.totalCachedTokens, s.totalCostMicroUsd],
        credits: s.totalCreditsConsumed,
        lastSeq: s.lastEventSeq,
      }))
      .sort((a, b) => a.session - b.session),
    events: events
      .map((e) => ({ session: sessionIndex(e.sessionId), seq: e.seq, payload: e.payload }))
      .sort((a, b) => a.session - b.session || Number(a.seq - b.seq)),
  };
}

describe("recording model calls in one statement", () => {
  it("has exactly the effect of recording them one by one, budget crossing and duplicates included", async () => {
    const oneByOne = await scenario();
    const sequential = [];
    for (const call of oneByOne.calls)
      sequential.push(await recordModelCall(database.db, database.pool, call, options));
    const batched = await scenario();
    const together = await recordModelCalls(
      database.db,
      database.pool,
      batched.calls.map((call): CallToRecord => ({ call })),
      options,
    );

    expect(together).toEqual(sequential);
    expect(together.map((r) => r.duplicate)).toEqual([...batched.calls.map(() => false).slice(1), true]);
    expect(together.filter((r) => r.budgetExceeded)).toHaveLength(1);
    expect(together[6]!.budgetExceeded).toMatchObject({ budgetMicroUsd: 9_000n });
    const expected = await outcome(oneByOne);
    expect(await outcome(batched)).toEqual(expected);
    // And what both left is right: entries follow each organisation's running balance...
    const running = [1_000_000n, 1_000_000n];
    for (const entry of expected.entries) {
      running[entry.organization]! += entry.amount;
      expect(entry.balanceAfter).toBe(running[entry.organization]);
    }
    // ...and each session's log counts 1..n, budget_exceeded right after the call that crossed it.
    const budgeted = expected.events.filter((e) => e.session === 0);
    expect(budgeted.map((e) => Number(e.seq))).toEqual(budgeted.map((_, index) => index + 1));
    expect(budgeted.map((e) => (e.payload as { type: string }).type)).toEqual([
      "metered",
      "metered",
      "metered",
      "budget_exceeded",
      "metered",
    ]);
    expect(budgeted[3]!.payload).toMatchObject({
      budgetMicroUsd: 9_000,
      spentMicroUsd: (budgeted[2]!.payload as { totals: { costMicroUsd: number } }).totals.costMicroUsd,
    });
  });

  it("stays exact when batches race each other on the same organisations and sessions", async () => {
    const world = await scenario();
    const batches = Array.from({ length: 12 }, () =>
      Array.from({ length: 25 }, (_, index) => ({
        call: { ...world.calls[index % 12]!, requestId: newId() },
      })),
    );
    const results = await Promise.all(
      batches.map((batch) => recordModelCalls(database.db, database.pool, batch, options)),
    );
    expect(results.flat().every((r) => !r.duplicate)).toBe(true);
    const after = await outcome(world);
    const charged = results.flat().reduce((sum, r) => sum + r.chargedMicroUsd, 0n);
    expect(after.balances.reduce((sum, [, balance]) => sum + balance, 0n)).toBe(2_000_000n - charged);
    expect(after.entries).toHaveLength(300);
    for (const session of after.sessions) {
      const seqs = after.events.filter((e) => e.session === session.session).map((e) => Number(e.seq));
      expect(seqs).toEqual(seqs.map((_, index) => index + 1));
      expect(BigInt(seqs.length)).toBe(session.lastSeq);
    }
  });

  it("announces each session's events, inline when small and by reference when not", async () => {
    const world = await scenario();
    const listener = await createNotificationListener(database.url);
    const announced: Array<{ session: number; count: number; inline: boolean }> = [];
    const stop = listener.subscribe(EVENTS_CHANNEL, (payload) => {
      const notice = parseEventNotification(payload);
      const session = world.sessions.indexOf(notice?.sessionId ?? "");
      if (notice && session >= 0)
        announced.push({ session, count: notice.count, inline: notice.events !== null });
    });
    try {
      const small = world.calls.slice(0, 2).map((call) => ({ call }));
      const large = Array.from({ length: 60 }, () => ({ call: { ...world.calls[1]!, requestId: newId() } }));
      await recordModelCalls(database.db, database.pool, small, options);
      await recordModelCalls(database.db, database.pool, large, options);
      await expect.poll(() => announced.length).toBe(3);
      const byArrival = (a: (typeof announced)[0], b: (typeof announced)[0]) =>
        a.session - b.session || a.count - b.count;
      expect(announced.sort(byArrival)).toEqual([
        { session: 0, count: 1, inline: true },
        { session: 1, count: 1, inline: true },
        { session: 1, count: 60, inline: false },
      ]);
    } finally {
      stop();
      await listener.close();
    }
  });
});
