// Points taken in blocks from the shared store, by two replicas at once: never more calls than the
// allowance, every point of it usable, one store request per block rather than per call, and points
// held in memory lapse with the store's window.
import { useTestDatabase } from "@studio/testkit/vitest";
import { RateLimiterPostgres } from "rate-limiter-flexible";
import { beforeAll, describe, expect, it } from "vitest";
import { blockSize, PointBlocks } from "./rate-limit-blocks.ts";

const database = useTestDatabase();
const TABLE = "blocks_test_calls";

function storeLimiter(points: number, durationSeconds: number) {
  return new RateLimiterPostgres({
    storeClient: database.pool,
    storeType: "pool",
    tableName: TABLE,
    tableCreated: true,
    keyPrefix: `d${durationSeconds}`,
    points,
    duration: durationSeconds,
  });
}

/** A replica's blocks over the shared store, counting the store requests it makes. */
function replica(durationSeconds = 60) {
  const requests = { count: 0 };
  const limiters = new Map<number, RateLimiterPostgres>();
  const blocks = new PointBlocks((points) => {
    let limiter = limiters.get(points);
    if (!limiter) {
      limiter = storeLimiter(points, durationSeconds);
      const consume = limiter.consume.bind(limiter);
      limiter.consume = (key, taken) => {
        requests.count++;
        return consume(key, taken);
      };
      limiters.set(points, limiter);
    }
    return limiter;
  });
  return { blocks, requests };
}

async function storedPoints(key: string, durationSeconds = 60): Promise<number> {
  const { rows } = await database.pool.query<{ points: number }>(
    `SELECT points FROM ${TABLE} WHERE key = $1`,
    [`d${durationSeconds}:${key}`],
  );
  return rows[0]?.points ?? 0;
}

beforeAll(async () => {
  await database.pool.query(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
  );
});

describe("points taken in blocks", () => {
  it("are a hundredth of the allowance, and one at a time under 200", () => {
    expect(blockSize(1)).toBe(1);
    expect(blockSize(199)).toBe(1);
    expect(blockSize(200)).toBe(2);
    expect(blockSize(1000)).toBe(10);
    expect(blockSize(10_000_000)).toBe(100_000);
  });

  it("let two replicas through exactly the allowance together, asking the store once per block", async () => {
    const [a, b] = [replica(), replica()];
    const key = `org:${Math.random()}`;
    const allowance = 1000;
    // 1,300 calls at once, alternating between the replicas.
    const outcomes = await Promise.all(
      Array.from({ length: 1300 }, (_, i) => (i % 2 ? a : b).blocks.take(key, allowance)),
    );
    const taken = outcomes.filter((outcome) => outcome.taken).length;
    expect(taken).toBe(allowance);
    expect(await storedPoints(key)).toBe(allowance);
    for (const outcome of outcomes)
      if (!outcome.taken) {
        expect(outcome.msBeforeNext).toBeGreaterThan(0);
        expect(outcome.msBeforeNext).toBeLessThanOrEqual(60_000);
      }
    // About 1000 / 10 blocks, plus each replica's last partial block and its refusal.
    expect(a.requests.count + b.requests.count).toBeLessThanOrEqual(allowance / blockSize(allowance) + 4);
    // Refused from memory from then on: no more store requests.
    const before = a.requests.count;
    expect((await a.blocks.take(key, allowance)).taken).toBe(false);
    expect(a.requests.count).toBe(before);
  });

  it("give back a point to the store when taken one at a time, to memory when taken in blocks", async () => {
    const { blocks, requests } = replica();
    const small = `member:${Math.random()}`;
    expect((await blocks.take(small, 3)).taken).toBe(true);
    expect(await storedPoints(small)).toBe(1);
    await blocks.giveBack(small, 3);
    expect(await storedPoints(small)).toBe(0);

    const large = `org:${Math.random()}`;
    expect((await blocks.take(large, 500)).taken).toBe(true);
    expect(await storedPoints(large)).toBe(5);
    const asked = requests.count;
    await blocks.giveBack(large, 500);
    // The point given back is spent next, with the four still held, before the store is asked again.
    for (let i = 0; i < 5; i++) expect((await blocks.take(large, 500)).taken).toBe(true);
    expect(requests.count).toBe(asked);
    expect((await blocks.take(large, 500)).taken).toBe(true);
    expect(requests.count).toBe(asked + 1);
    expect(await storedPoints(large)).toBe(10);
  });

  it("let held points lapse when the store's window ends, and take anew in the next", async () => {
    const { blocks } = replica(1);
    const key = `org:${Math.random()}`;
    for (let i = 0; i < 2; i++) expect((await blocks.take(key, 200)).taken).toBe(true);
    expect(await storedPoints(key, 1)).toBe(2);
    const refusedKey = `member:${Math.random()}`;
    expect((await blocks.take(refusedKey, 1)).taken).toBe(true);
    expect((await blocks.take(refusedKey, 1)).taken).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // A fresh window: a fresh block (the held point of the last one is gone), and no refusal.
    expect((await blocks.take(key, 200)).taken).toBe(true);
    expect(await storedPoints(key, 1)).toBe(2);
    expect((await blocks.take(refusedKey, 1)).taken).toBe(true);
  });

  it("take points anew when the allowance changes", async () => {
    const { blocks, requests } = replica();
    const key = `org:${Math.random()}`;
    expect((await blocks.take(key, 1000)).taken).toBe(true);
    const asked = requests.count;
    expect((await blocks.take(key, 300)).taken).toBe(true);
    expect(requests.count).toBe(asked + 1);
  });
});
