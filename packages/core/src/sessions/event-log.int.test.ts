// The event log against real PostgreSQL and real LISTEN/NOTIFY: gap-free sequences under
// concurrent appends, and subscribers that resume exactly where they were, whatever the batch size.
import type { StudioEvent } from "@studio/acp/events";
import { createNotificationListener, type NotificationListener } from "@studio/db/notifications";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../shared/ids.ts";
import { SessionEventBus } from "./event-bus.ts";
import { appendEvents } from "./event-log.ts";
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
  const userId = newId();
  const organizationId = newId();
  await database.db.user.create({
    data: { id: userId, email: `${userId}@example.com`, name: "L", passwordHash: "x" },
  });
  await database.db.organization.create({ data: { id: organizationId, name: "L", slug: organizationId } });
  const session = await database.db.studioSession.create({
    data: {
      id: newId(),
      organizationId,
      userId,
      environment: "development",
      provider: "custom",
      model: "m",
      keySource: "platform",
      upstreamProvider: "custom",
      upstreamModel: "m",
      sandboxProvider: "local",
      idleTimeoutSeconds: 60,
    },
  });
  return session.id;
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
  it("numbers concurrent appends 1..n with no gap and no repeat", async () => {
    const sessionId = await newSession();
    await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        appendEvents(database.db, sessionId, [chunk(`a${index}`), chunk(`b${index}`)]),
      ),
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

  it("resumes after a given sequence without repeating anything", async () => {
    const sessionId = await newSession();
    for (let index = 1; index <= 10; index++)
      await appendEvents(database.db, sessionId, [chunk(`e${index}`)]);
    const seen = await collect(sessionId, 6n, 4);
    expect(seen).toEqual([7, 8, 9, 10].map((seq) => ({ seq, text: `e${seq}` })));
  });
});
