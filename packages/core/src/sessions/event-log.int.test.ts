// The event log against real PostgreSQL and real LISTEN/NOTIFY: gap-free sequences under
// concurrent appends, and subscribers that resume exactly where they were, whatever the batch size.
import type { StudioEvent } from "@studio/acp/events";
import { createNotificationListener, type NotificationListener } from "@studio/db/notifications";
import { seedSessionRow } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../shared/ids.ts";
import { SessionEventBus } from "./event-bus.ts";
import { appendBatches, appendEvents } from "./event-log.ts";
import { followEvents } from "./follow-events.ts";

const database = useTestDatabase();
let listener: NotificationListener;
let bus: SessionEventBus;

beforeAll(async () => {
  listener = await createNotificationListener(database.url);
  bus = new SessionEventBus(listener);
});

afterAll(async () => {
  bus.close();
  await listener.close();
});

async function newSession(): Promise<string> {
  return (await seedSessionRow(database.db)).sessionId;
}

const chunk = (text: string): StudioEvent => ({ type: "agent_message_chunk", messageId: "m", text });

async function collect(sessionId: string, after: bigint, count: number) {
  const controller = new AbortController();
  const seen: Array<{ seq: number; text: string }> = [];
  for await (const stored of followEvents(database.db, bus, sessionId, after, controller.signal)) {
    seen.push({ seq: Number(stored.seq), text: (stored.event as { text: string }).text });
    if (seen.length === count) controller.abort();
  }
  return seen;
}

describe("the event log", () => {
  it("numbers concurrent appends 1..n with no gap and no repeat, through Prisma and pg alike", async () => {
    const sessionId = await newSession();
    const pool = database.pool;
    await Promise.all(
      Array.from({ length: 40 }, (_, index) => {
        const events = [chunk(`a${index}`), chunk(`b${index}`)];
        return index % 2 === 0
          ? appendEvents(database.db, sessionId, events)
          : appendBatches(pool, [{ sessionId, events }]);
      }),
    );
    const rows = await database.db.sessionEvent.findMany({ where: { sessionId }, orderBy: { seq: "asc" } });
    expect(rows.map((row) => Number(row.seq))).toEqual(Array.from({ length: 80 }, (_, index) => index + 1));
    // Each append's two events stay adjacent: a batch is one atomic range.
    for (let index = 0; index < 80; index += 2) {
      expect((rows[index]!.payload as { text: string }).text.slice(1)).toBe(
        (rows[index + 1]!.payload as { text: string }).text.slice(1),
      );
    }
  });

  it("delivers backfill, then live batches (small ones from the notification, large ones from the table)", async () => {
    const sessionId = await newSession();
    await appendEvents(database.db, sessionId, [chunk("old-1"), chunk("old-2")]);
    const following = collect(sessionId, 0n, 2 + 3 + 40);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await appendEvents(database.db, sessionId, [chunk("live-1"), chunk("live-2"), chunk("live-3")]);
    // Too large to travel inside a NOTIFY: the follower must read it from the table.
    await appendEvents(
      database.db,
      sessionId,
      Array.from({ length: 40 }, (_, index) => chunk(`big-${index}-${"x".repeat(300)}`)),
    );
    const seen = await following;
    expect(seen.map((event) => event.seq)).toEqual(Array.from({ length: 45 }, (_, index) => index + 1));
    expect(seen.slice(0, 5).map((event) => event.text)).toEqual([
      "old-1",
      "old-2",
      "live-1",
      "live-2",
      "live-3",
    ]);
  });

  it("delivers a batch announced from memory once, though its NOTIFY arrives as well", async () => {
    const sessionId = await newSession();
    const pool = database.pool;
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const stored of followEvents(database.db, bus, sessionId, 0n, controller.signal))
        seen.push(`${stored.seq}:${(stored.event as { text: string }).text}`);
    })();
    // Every message the bus hands out for the session: three announcements, and each NOTIFY that
    // arrived ahead of its announcement (one arriving after it is not handed out again).
    const messages = bus.watch(sessionId);
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const n of [1, 2, 3]) {
      const events = [chunk(`${n}a`), chunk(`${n}b`)];
      const lastSeq = (await appendBatches(pool, [{ sessionId, events }])).get(sessionId)!;
      bus.announce(sessionId, lastSeq, events);
    }
    const handedOut = await messages.next(AbortSignal.timeout(500));
    handedOut.push(...(await messages.next(AbortSignal.timeout(500))));
    expect(handedOut.length).toBeGreaterThanOrEqual(3);
    expect(handedOut.length).toBeLessThanOrEqual(6);
    messages.close();
    controller.abort();
    await following;
    expect(seen).toEqual(["1:1a", "2:1b", "3:2a", "4:2b", "5:3a", "6:3b"]);
  });

  it("does not hand out again the NOTIFY of a batch already announced from memory", async () => {
    const sessionId = await newSession();
    const pool = database.pool;
    const messages = bus.watch(sessionId);
    const first = [chunk("a"), chunk("b")];
    // Announced before its NOTIFY can arrive (as when the append's result beats the LISTEN connection).
    bus.announce(sessionId, 2n, first);
    await appendBatches(pool, [{ sessionId, events: first }]);
    await appendBatches(pool, [{ sessionId, events: [chunk("c")] }]); // never announced: its NOTIFY counts
    const handedOut = await messages.next(AbortSignal.timeout(1000));
    handedOut.push(...(await messages.next(AbortSignal.timeout(3000))));
    messages.close();
    expect(handedOut.map((message) => [message?.lastSeq, message?.count])).toEqual([
      [2n, 2],
      [3n, 1],
    ]);
  });

  it("stores agent text holding NUL or half an emoji, which jsonb alone would refuse", async () => {
    const sessionId = await newSession();
    await appendBatches(database.pool, [{ sessionId, events: [chunk("bin\u0000ary \uD83D cut")] }]);
    const row = await database.db.sessionEvent.findFirstOrThrow({ where: { sessionId } });
    expect((row.payload as { text: string }).text).toBe("bin\uFFFDary \uFFFD cut");
  });

  it("appends for several sessions in one statement, each gap-free, with its own cursor", async () => {
    const [first, second] = [await newSession(), await newSession()];
    const pool = database.pool;
    await appendEvents(database.db, second, [chunk("earlier")]);
    const stored = await appendBatches(pool, [
      { sessionId: first, events: [chunk("a"), chunk("b")], agentEventCursor: "17" },
      { sessionId: second, events: [chunk("c")] },
      { sessionId: newId(), events: [chunk("nowhere")] },
    ]);
    expect(stored).toEqual(
      new Map([
        [first, 2n],
        [second, 2n],
      ]),
    ); // the session that does not exist is simply missing
    const texts = async (sessionId: string) =>
      (await database.db.sessionEvent.findMany({ where: { sessionId }, orderBy: { seq: "asc" } })).map(
        (row) => `${row.seq}:${(row.payload as { text: string }).text}`,
      );
    expect(await texts(first)).toEqual(["1:a", "2:b"]);
    expect(await texts(second)).toEqual(["1:earlier", "2:c"]);
    await appendBatches(pool, [{ sessionId: first, events: [chunk("d")] }]);
    const row = await database.db.studioSession.findUniqueOrThrow({ where: { id: first } });
    expect(row.agentEventCursor).toBe("17"); // kept when a batch comes without one
  });

  it("resumes after a given sequence without repeating anything", async () => {
    const sessionId = await newSession();
    for (let index = 1; index <= 10; index++)
      await appendEvents(database.db, sessionId, [chunk(`e${index}`)]);
    const seen = await collect(sessionId, 6n, 4);
    expect(seen).toEqual([7, 8, 9, 10].map((seq) => ({ seq, text: `e${seq}` })));
  });
});
