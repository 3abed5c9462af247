import { describe, expect, it, vi } from "vitest";
import { restartDelayMs, supervise } from "./postgres-supervisor.ts";

describe("supervise", () => {
  it("restarts a process that died, with backoff between failed starts, and reports each step", async () => {
    let pid: number | null = 100;
    let alive = true;
    let failures = 2;
    const steps: string[] = [];
    const stop = supervise(
      {
        pid: () => pid,
        isAlive: () => alive,
        async restart() {
          if (failures-- > 0) throw new Error("shared memory still in use");
          pid = 200;
          alive = true;
          return 200;
        },
      },
      {
        onDown: (dead) => steps.push(`down ${dead}`),
        onRestartFailed: (attempt, _error, wait) => steps.push(`failed ${attempt} retry in ${wait}`),
        onRestarted: (started, attempts) => steps.push(`back ${started} after ${attempts}`),
      },
      5,
    );
    try {
      alive = false;
      await vi.waitFor(() => expect(steps.at(-1)).toBe("back 200 after 3"), { timeout: 5_000 });
      expect(steps).toEqual([
        "down 100",
        "failed 1 retry in 500",
        "failed 2 retry in 1000",
        "back 200 after 3",
      ]);
    } finally {
      stop();
    }
  });

  it("does nothing once told to stop (a deliberate stop is no death)", async () => {
    const restart = vi.fn(async () => 1);
    const stop = supervise(
      { pid: () => 1, isAlive: () => false, restart },
      { onDown: () => {}, onRestartFailed: () => {}, onRestarted: () => {} },
      5,
    );
    stop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(restart).not.toHaveBeenCalled();
  });

  it("a stop during a restart resolves once that restart has settled", async () => {
    let finishStart: (pid: number) => void = () => {};
    let downReported = false;
    const stop = supervise(
      {
        pid: () => 100,
        isAlive: () => false,
        restart: () => new Promise<number>((resolve) => (finishStart = resolve)),
      },
      { onDown: () => (downReported = true), onRestartFailed: () => {}, onRestarted: () => {} },
      5,
    );
    await vi.waitFor(() => expect(downReported).toBe(true));
    let settled = false;
    const stopped = stop().then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    finishStart(200);
    await stopped;
  });

  it("a stop cuts short the wait after a failed start", async () => {
    vi.useFakeTimers();
    try {
      let failures = 0;
      const stop = supervise(
        { pid: () => 1, isAlive: () => false, restart: async () => Promise.reject(new Error("busy")) },
        { onDown: () => {}, onRestartFailed: () => failures++, onRestarted: () => {} },
        5,
      );
      await vi.advanceTimersByTimeAsync(5);
      expect(failures).toBe(1);
      // No time passes from here: without the wake-up the 500 ms backoff would hold the stop.
      await stop();
      expect(failures).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("waits longer after each failed start, at most 10 s", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(restartDelayMs)).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });
});
