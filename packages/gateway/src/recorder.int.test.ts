// The recorder batches calls that finish while a write is under way or soon after it, writes a call
// after a quiet spell at once, one call that cannot be recorded never takes the others of its batch
// down with it, and calls made while the database is away are written once it is back.

import { setTimeout as sleep } from "node:timers/promises";
import { EVENTS_CHANNEL, newKeyring, parseEventNotification, seedListPrices } from "@studio/core";
import { createDbClient, type DbClient } from "@studio/db";
import { createNotificationListener, type NotificationListener } from "@studio/db/notifications";
import { silentLogger } from "@studio/models";
import { startCuttablePostgres } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayAccess, type GatewaySession } from "./access.ts";
import { CallRecorder } from "./recorder.ts";
import { seedSession } from "./test-support/gateway-fixture.ts";

const database = useTestDatabase();
const keyring = newKeyring();
let listener: NotificationListener;

beforeAll(async () => {
  listener = await createNotificationListener(database.url);
  await seedListPrices(database.db);
});
afterAll(async () => {
  await listener.close();
});

// grok-4 list price: $3 in, $15 out per million → 1,000 in + 1,000 out = 18,000 micro-USD.
const METERED = {
  reported: { inputTokens: 1000, outputTokens: 1000, cachedTokens: 0, reasoningTokens: 0 },
  complete: true,
  model: "grok-4",
  outputChars: 10,
};

/** A recorder writing through `db` (the test's database unless given), and a session with credits. */
async function recorderWithSession(minWriteIntervalMs?: number, { db, pool }: DbClient = database) {
  const warnings: string[] = [];
  const access = new GatewayAccess(db, keyring, {});
  const recorder = new CallRecorder(
    db,
    pool,
    access,
    { ...silentLogger, warn: (details, message) => warnings.push(`${message} ${JSON.stringify(details)}`) },
    0,
    minWriteIntervalMs,
  );
  const seeded = await seedSession(database.db, keyring, {
    provider: "xai",
    model: "grok-4",
    creditsMicroUsd: 1_000_000n,
  });
  const session: GatewaySession = {
    id: seeded.session.id,
    organizationId: seeded.organizationId,
    userId: seeded.userId,
    apiTokenId: null,
    keySource: "platform",
    upstreamProvider: "xai",
    upstreamModel: "grok-4",
    budgetMicroUsd: null,
    totalCostMicroUsd: 0n,
    balanceMicroUsd: 1_000_000n,
  };
  const finish = (forSession: GatewaySession, requestId: string) =>
    recorder
      .begin({
        requestId,
        session: forSession,
        model: "grok-4",
        requestBody: Buffer.from("{}"),
        organizationKey: null,
      })
      .finish(200, METERED);
  return { recorder, session, finish, warnings };
}

/** Notifications about one session's events: how many events each announced. */
function announcements(sessionId: string): { counts: number[]; stop: () => void } {
  const counts: number[] = [];
  const stop = listener.subscribe(EVENTS_CHANNEL, (payload) => {
    const notice = parseEventNotification(payload);
    if (notice?.sessionId === sessionId) counts.push(notice.count);
  });
  return { counts, stop };
}

describe("the call recorder", () => {
  it("writes calls that finish during a write as one batch, exactly", async () => {
    const { recorder, session, finish } = await recorderWithSession();
    const announced = announcements(session.id);
    finish(session, "first"); // written at once, alone
    for (let index = 0; index < 5; index++) finish(session, `later-${index}`); // wait for it, together
    await recorder.settled();
    await expect.poll(() => announced.counts.length).toBe(2);
    announced.stop();
    expect(announced.counts).toEqual([1, 5]);

    const entries = await database.db.ledgerEntry.findMany({
      where: { sessionId: session.id },
      orderBy: { id: "asc" },
    });
    expect(entries.map((entry) => entry.balanceAfterMicroUsd)).toEqual(
      Array.from({ length: 6 }, (_, index) => 1_000_000n - 18_000n * BigInt(index + 1)),
    );
    const events = await database.db.sessionEvent.findMany({
      where: { sessionId: session.id },
      orderBy: { seq: "asc" },
    });
    expect(events.map((event) => Number(event.seq))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("writes calls that finish soon after a write together, and a call after a quiet spell at once", async () => {
    const interval = 1_500;
    const { recorder, session, finish } = await recorderWithSession(interval);
    const announced = announcements(session.id);
    finish(session, "lone");
    await recorder.settled();
    // Both finish within the interval of the first write, at different moments: one statement.
    finish(session, "soon");
    await sleep(30);
    finish(session, "a-little-later");
    await recorder.settled();
    await sleep(interval);
    // After a quiet spell the next call does not wait: a call finishing during its write is not in it.
    finish(session, "after-quiet");
    await sleep(30);
    finish(session, "next");
    await recorder.settled();
    const announcedCalls = () => announced.counts.reduce((sum, count) => sum + count, 0);
    await expect.poll(announcedCalls, { timeout: 10_000 }).toBe(5);
    announced.stop();
    expect(announced.counts).toEqual([1, 2, 1, 1]);
    expect(await database.db.ledgerEntry.count({ where: { sessionId: session.id } })).toBe(5);
  });

  it("records the rest of a batch when one of its calls cannot be recorded, and says which failed", async () => {
    const { recorder, session, finish, warnings } = await recorderWithSession();
    const gone = { ...session, id: "no-such-session" };
    finish(session, "before");
    finish(session, "kept");
    finish(gone, "lost");
    finish(session, "also-kept");
    await recorder.settled();
    const recorded = await database.db.ledgerEntry.findMany({
      where: { organizationId: session.organizationId, kind: "usage" },
      orderBy: { id: "asc" },
    });
    expect(recorded.map((entry) => entry.idempotencyKey)).toEqual([
      "usage:before",
      "usage:kept",
      "usage:also-kept",
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^metering failed .*"requestId":"lost"/);
  }, 20_000);

  it("waits for a database that is away, then writes the calls that waited for it as one statement", async () => {
    const proxy = await startCuttablePostgres(database.url);
    const cuttable = createDbClient(proxy.url, { maxConnections: 2 });
    const { db } = cuttable;
    try {
      const { recorder, session, finish, warnings } = await recorderWithSession(undefined, cuttable);
      // Prisma connects the pool lazily, and with it the handler for errors of idle connections.
      await db.$queryRaw`SELECT 1`;
      const announced = announcements(session.id);
      proxy.cut();
      // Request ids are unique across the ledger: these are this test's own.
      finish(session, "away-first"); // written at once, alone: it meets the outage
      for (let index = 0; index < 4; index++) finish(session, `away-queued-${index}`);
      // Longer than the 3 s a call used to be retried for before it was given up.
      await sleep(4_000);
      expect(await database.db.ledgerEntry.count({ where: { sessionId: session.id } })).toBe(0);
      proxy.restore();
      await recorder.settled();
      await expect.poll(() => announced.counts.length, { timeout: 10_000 }).toBe(2);
      announced.stop();
      expect(announced.counts).toEqual([1, 4]);
      expect(warnings).toEqual([]);
      const entries = await database.db.ledgerEntry.findMany({
        where: { sessionId: session.id },
        orderBy: { id: "asc" },
      });
      expect(entries.map((entry) => entry.idempotencyKey)).toEqual([
        "usage:away-first",
        ...Array.from({ length: 4 }, (_, index) => `usage:away-queued-${index}`),
      ]);
    } finally {
      await db.$disconnect();
      await proxy.close();
    }
  }, 30_000);
});
