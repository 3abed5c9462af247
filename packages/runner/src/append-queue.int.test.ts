// The replica's append queue against real PostgreSQL: sessions waiting while statements are in
// flight share the next one, and one session's bad batch fails that session only.
import type { StudioEvent } from "@studio/acp/events";
import { newId } from "@studio/core";
import type { AppendBatch } from "@studio/core/runner";
import type { SqlPool } from "@studio/db";
import { seedSessionRow } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { AppendQueue, type AppendSource } from "./append-queue.ts";

const database = useTestDatabase();

async function newSession(): Promise<string> {
  return (await seedSessionRow(database.db)).sessionId;
}

const chunk = (text: string): StudioEvent => ({ type: "agent_message_chunk", messageId: "m", text });

/** A source holding one batch, recording how its statement ended. */
function source(sessionId: string, text: string) {
  const outcome: { error: Error | null | undefined } = { error: undefined };
  let settled: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    settled = resolve;
  });
  const it: AppendSource = {
    sessionId,
    take: (): AppendBatch => ({ sessionId, events: [chunk(text)] }),
    settle: (error) => {
      outcome.error = error;
      settled();
    },
  };
  return { it, outcome, done };
}

const REFUSED = "refused-by-postgres";

/**
 * The real pool, counting statements. A batch whose text is REFUSED reaches PostgreSQL with its
 * payload cut short, which it refuses as any statement it cannot take: the events themselves are
 * always storable (see serialiseEvent), so the refusal is made on the way.
 */
function countingPool(): { pool: SqlPool; statements: () => number } {
  const pool = database.pool;
  let statements = 0;
  const counting = {
    query: (config: { name: string; text: string; values: unknown[][] }) => {
      statements += 1;
      const payloads = config.values[7] as string[];
      const values = [...config.values];
      values[7] = payloads.map((payload) => (payload.includes(REFUSED) ? payload.slice(0, -1) : payload));
      return pool.query({ ...config, values });
    },
  } as unknown as SqlPool;
  return { pool: counting, statements: () => statements };
}

describe("the append queue", () => {
  it("puts the sessions that waited for a free statement into one", async () => {
    const sessions = await Promise.all(Array.from({ length: 10 }, () => newSession()));
    const { pool, statements } = countingPool();
    const queue = new AppendQueue(pool);
    const sources = sessions.map((sessionId, index) => source(sessionId, `e${index}`));
    for (const { it } of sources) queue.request(it);
    await Promise.all(sources.map(({ done }) => done));
    expect(sources.map(({ outcome }) => outcome.error)).toEqual(sessions.map(() => null));
    // Two statements start at once, one session each; the eight that waited share the third.
    expect(statements()).toBe(3);
    const rows = await database.db.sessionEvent.findMany({ where: { sessionId: { in: sessions } } });
    expect(rows.map((row) => Number(row.seq))).toEqual(sessions.map(() => 1));
  });

  it("fails only the session whose batch PostgreSQL refuses, and a session that does not exist; announces what it stored", async () => {
    const sessions = await Promise.all(Array.from({ length: 4 }, () => newSession()));
    const { pool } = countingPool();
    const queue = new AppendQueue(pool);
    // Two statements in flight first, so the rest are grouped.
    const first = [source(sessions[0]!, "a"), source(sessions[1]!, "b")];
    const grouped = [source(sessions[2]!, REFUSED), source(sessions[3]!, "d"), source(newId(), "e")];
    const announced: string[] = [];
    queue.onStored((batch, lastSeq) =>
      announced.push(`${batch.sessionId}:${lastSeq}:${(batch.events[0] as { text: string }).text}`),
    );
    for (const { it } of [...first, ...grouped]) queue.request(it);
    await Promise.all([...first, ...grouped].map(({ done }) => done));
    // Committed batches are announced, each with its last sequence number; refused ones are not.
    expect(announced.sort()).toEqual(
      [`${sessions[0]}:1:a`, `${sessions[1]}:1:b`, `${sessions[3]}:1:d`].sort(),
    );
    expect(first.map(({ outcome }) => outcome.error)).toEqual([null, null]);
    expect(grouped[0]!.outcome.error).toBeInstanceOf(Error);
    expect(grouped[1]!.outcome.error).toBeNull();
    expect(grouped[2]!.outcome.error?.message).toMatch(/does not exist/);
    expect(await database.db.sessionEvent.count({ where: { sessionId: sessions[2]! } })).toBe(0);
    expect(await database.db.sessionEvent.count({ where: { sessionId: sessions[3]! } })).toBe(1);
  });
});
