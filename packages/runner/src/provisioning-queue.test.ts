import { describe, expect, it } from "vitest";
import { defaultProvisioningConcurrency, ProvisioningQueue, queueStepLabel } from "./provisioning-queue.ts";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("ProvisioningQueue", () => {
  it("starts up to the limit at once and queues the rest in arrival order", async () => {
    const queue = new ProvisioningQueue(2);
    const granted: string[] = [];
    const aheads: Record<string, number[]> = { c: [], d: [], e: [] };
    const take = (name: string) =>
      queue.acquire({ onAhead: (ahead) => aheads[name]?.push(ahead) }).then((release) => {
        granted.push(name);
        return release;
      });
    const a = take("a");
    const b = take("b");
    const c = take("c");
    const d = take("d");
    const e = take("e");
    await tick();
    expect(granted).toEqual(["a", "b"]);
    expect([queue.running, queue.waiting]).toEqual([2, 3]);
    expect(aheads).toEqual({ c: [0], d: [1], e: [2] });

    (await b)();
    await tick();
    expect(granted).toEqual(["a", "b", "c"]);
    expect(aheads).toEqual({ c: [0], d: [1, 0], e: [2, 1] });

    const releaseA = await a;
    releaseA();
    releaseA(); // a second release frees nothing more
    await tick();
    expect(granted).toEqual(["a", "b", "c", "d"]);
    expect([queue.running, queue.waiting]).toEqual([2, 1]);
    (await c)();
    (await d)();
    (await e)();
    expect([queue.running, queue.waiting]).toEqual([0, 0]);
  });

  it("lets a waiter give up, and moves those behind it up", async () => {
    const queue = new ProvisioningQueue(1);
    const release = await queue.acquire();
    const abort = new AbortController();
    const seen: number[] = [];
    const gaveUp = queue.acquire({ signal: abort.signal });
    const behind = queue.acquire({ onAhead: (ahead) => seen.push(ahead) });
    abort.abort(new Error("stopped"));
    await expect(gaveUp).rejects.toThrow("stopped");
    expect(seen).toEqual([1, 0]);
    release();
    const next = await behind;
    expect(queue.running).toBe(1);
    next();
    await expect(queue.acquire({ signal: AbortSignal.abort(new Error("gone")) })).rejects.toThrow("gone");
  });

  it("claims only what it can start within a round", async () => {
    const queue = new ProvisioningQueue(2);
    expect(queue.claimBudget()).toBe(4);
    const releases = await Promise.all([queue.acquire(), queue.acquire()]);
    void queue.acquire();
    expect(queue.claimBudget()).toBe(1);
    void queue.acquire();
    void queue.acquire();
    expect(queue.claimBudget()).toBe(0);
    for (const release of releases) release();
  });

  it("refuses a limit below one", () => {
    expect(() => new ProvisioningQueue(0)).toThrow(RangeError);
  });
});

describe("defaultProvisioningConcurrency", () => {
  it("is one start per core, at least one", () => {
    expect(defaultProvisioningConcurrency(2)).toBe(2);
    expect(defaultProvisioningConcurrency(16)).toBe(16);
    expect(defaultProvisioningConcurrency(0)).toBe(1);
  });
});

describe("queueStepLabel", () => {
  it("says how many are ahead, then that it waited", () => {
    expect(queueStepLabel(3)).toBe("Waiting for a free slot (3 ahead)");
    expect(queueStepLabel(0)).toBe("Waiting for a free slot (next)");
    expect(queueStepLabel(null)).toBe("Waited for a free slot");
  });
});
