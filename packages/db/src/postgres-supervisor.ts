// Keeps the embedded PostgreSQL running: a cluster that dies (killed, out of memory, a crash) is
// started again, with backoff, and each step is reported. The studio's database clients reconnect by
// themselves once it is back, and its runners hold their sessions meanwhile, so a dead cluster costs
// an outage, never the studio or a turn. Nothing else would start it again: the studio started it.

export interface SupervisorEvents {
  /** The cluster's process is gone. */
  onDown(pid: number): void;
  /** A start failed (a dead cluster's backends can hold its shared memory for a moment). */
  onRestartFailed(attempt: number, error: unknown, retryInMs: number): void;
  onRestarted(pid: number, attempts: number, downForMs: number): void;
}

/** Waits between restarts: quick at first (most restarts just work), at most 10 s. */
export function restartDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 10_000);
}

export interface SupervisedProcess {
  /** The running process's PID, or null while it is down. */
  pid(): number | null;
  isAlive(pid: number): boolean;
  /** Starts it again; resolves with the new PID once it accepts connections. */
  restart(): Promise<number>;
}

/**
 * Checks every `intervalMs` that the process lives and restarts it when it does not. Returns the
 * function that stops supervising (before a deliberate stop, which must not look like a death). It
 * resolves once a restart under way has settled: a cluster it starts after the owner's stop had
 * looked would be left running with nobody to end it.
 */
export function supervise(
  target: SupervisedProcess,
  events: SupervisorEvents,
  intervalMs = 500,
): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let restarting: Promise<void> = Promise.resolve();
  let wake = () => {};
  // A wait between failed starts ends early on a stop, which is waiting for it.
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timeout = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timeout);
        resolve();
      };
    });

  async function bringBack(deadPid: number) {
    const since = Date.now();
    events.onDown(deadPid);
    for (let attempt = 0; !stopped; attempt++) {
      try {
        const pid = await target.restart();
        events.onRestarted(pid, attempt + 1, Date.now() - since);
        return;
      } catch (error) {
        const wait = restartDelayMs(attempt);
        events.onRestartFailed(attempt + 1, error, wait);
        await sleep(wait);
      }
    }
  }

  async function check() {
    const pid = target.pid();
    if (pid !== null && !target.isAlive(pid)) {
      restarting = bringBack(pid);
      await restarting;
    }
    if (!stopped) {
      timer = setTimeout(() => void check(), intervalMs);
      timer.unref();
    }
  }

  timer = setTimeout(() => void check(), intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    wake();
    return restarting;
  };
}
