// One per server process: claims sessions whose lease is free, runs a SessionRunner for each,
// renews the leases it holds, routes commands announced by NOTIFY, and stops idle sessions. New
// sessions start through the replica's ProvisioningQueue, a few at a time.
import { newId } from "@studio/core";
import {
  COMMANDS_CHANNEL,
  claimExpiredLeases,
  idleExpired,
  isSessionLive,
  liveSessionIdsAmong,
  releaseLeases,
  renewLeases,
  sessionStatusOf,
  stopIdleSession,
} from "@studio/core/runner";
import type { NotificationListener } from "@studio/db/notifications";
import type { Logger } from "@studio/models";
import { EventWriter } from "./event-writer.ts";
import { defaultProvisioningConcurrency, ProvisioningQueue, queueStepLabel } from "./provisioning-queue.ts";
import { type RunnerDeps, SessionRunner } from "./session-runner.ts";

export interface RunnerManagerOptions extends RunnerDeps {
  listener: NotificationListener;
  /** How long a lease lasts without renewal; a dead replica's sessions move after this. */
  leaseMs?: number;
  /** How often leases are claimed and renewed, and idle timers checked. */
  tickMs?: number;
  /** Sandboxes this replica starts at once; the rest wait in its queue. Default: one per core. */
  provisioningConcurrency?: number;
}

/** Live sessions claimed per tick (takeovers, re-attaches): no sandbox start, so not queued. */
const LIVE_CLAIMS_PER_TICK = 20;

export class RunnerManager {
  readonly runnerId = `runner-${newId()}`;
  private readonly runners = new Map<string, SessionRunner>();
  private readonly leaseMs: number;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopping = false;
  private currentTick: Promise<void> | null = null;
  /** A tick was asked for while one ran (a slot freed mid-tick): run another right after. */
  private tickAgain = false;
  readonly provisioning: ProvisioningQueue;
  /** Sessions waiting in the provisioning queue: aborted when their runner is ended meanwhile. */
  private readonly queued = new Map<string, AbortController>();
  private unsubscribe: (() => void) | null = null;
  private readonly log: Logger;

  constructor(private readonly options: RunnerManagerOptions) {
    this.leaseMs = options.leaseMs ?? 15_000;
    this.tickMs = options.tickMs ?? Math.min(2_000, this.leaseMs / 3);
    this.log = options.logger;
    this.provisioning = new ProvisioningQueue(
      options.provisioningConcurrency ?? defaultProvisioningConcurrency(),
    );
  }

  async start() {
    await this.reapOrphans();
    this.unsubscribe = this.options.listener.subscribe(COMMANDS_CHANNEL, (sessionId) => {
      const runner = this.runners.get(sessionId);
      if (runner) this.background(runner.drainCommands());
      else void this.tick(); // a resumed session: claim it now rather than at the next tick
    });
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.tickMs);
  }

  /**
   * Sandboxes left running by a previous run whose session is no longer live are freed; live ones
   * stay for their runner to re-attach to.
   */
  private async reapOrphans() {
    const { provider, db } = this.options;
    const isLive = ({ sessionId }: { sessionId: string }) => isSessionLive(db, sessionId);
    // A provider that can find more than `list` shows (the local one: processes whose sandbox
    // directory is gone) reaps by itself.
    if (provider.reapOrphans) {
      for (const reaped of await provider.reapOrphans(isLive)) {
        this.log.info({ sandboxId: reaped.id }, "ended an orphaned sandbox");
      }
      return;
    }
    const sandboxes = await this.options.provider.list().catch(() => []);
    if (sandboxes.length === 0) return;
    const liveIds = await liveSessionIdsAmong(
      db,
      sandboxes.map((sandbox) => sandbox.sessionId),
    );
    for (const sandbox of sandboxes) {
      if (!liveIds.has(sandbox.sessionId) && sandbox.state === "running") {
        this.log.info({ sandboxId: sandbox.id, sessionId: sandbox.sessionId }, "ending an orphaned sandbox");
        await this.options.provider.destroy(sandbox.id, { keepWorkspace: true }).catch(() => {});
      }
    }
  }

  private tick(): Promise<void> {
    if (this.ticking || this.stopping) {
      if (this.ticking) this.tickAgain = true;
      return this.currentTick ?? Promise.resolve();
    }
    this.ticking = true;
    this.currentTick = (async () => {
      do {
        this.tickAgain = false;
        await this.runTick();
      } while (this.tickAgain && !this.stopping);
    })().finally(() => {
      this.ticking = false;
    });
    return this.currentTick;
  }

  private async runTick() {
    try {
      const { db } = this.options;
      const held = await renewLeases(db, this.runnerId, [...this.runners.keys()], this.leaseMs);
      for (const [sessionId, runner] of this.runners) {
        if (!held.has(sessionId) || runner.isStopped) {
          this.runners.delete(sessionId);
          this.queued.get(sessionId)?.abort(new Error("ended while waiting for a free slot"));
          // Stopped through the API, failed, or taken by another replica: tear down only when ended.
          const status = await sessionStatusOf(db, sessionId);
          if (!held.has(sessionId) && !runner.isStopped)
            this.log.info({ sessionId, status }, "lease lost: letting the session go");
          await runner.shutdown({ destroy: status === "stopped" || status === "error" });
        }
      }
      // Stopping: claiming now would start runners after the others were told to stop.
      if (this.stopping) return;
      const claims = await claimExpiredLeases(db, this.runnerId, this.leaseMs, {
        live: LIVE_CLAIMS_PER_TICK,
        provisioning: this.provisioning.claimBudget(),
      });
      for (const claimed of claims) {
        const previous = this.runners.get(claimed.id);
        if (previous && !previous.isStopped) continue;
        // Resumed right after a stop: the old runner's teardown finishes before the new one starts.
        if (previous) await previous.shutdown({ destroy: true });
        const sessionId = claimed.id;
        const runner = new SessionRunner(this.options, sessionId, async () =>
          (await renewLeases(this.options.db, this.runnerId, [sessionId], this.leaseMs)).has(sessionId),
        );
        this.runners.set(claimed.id, runner);
        this.log.info({ sessionId: claimed.id, status: claimed.status }, "running session");
        this.background(claimed.status === "provisioning" ? this.startQueued(runner) : runner.start());
      }
      for (const sessionId of await idleExpired(db, this.runnerId)) await this.stopIdle(sessionId);
      for (const runner of this.runners.values()) {
        this.background(runner.drainCommands());
        this.background(runner.watchdog());
      }
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, "runner tick failed");
    }
  }

  /**
   * A new (or resumed) session's start, once a slot is free. While it waits, its provisioning card
   * says how many are ahead; the step is written through a writer of its own, flushed before the
   * runner's first event, so the log keeps the order. The slot is held until the agent is ready (or
   * the start failed): the agent's own start is most of the cost.
   */
  private async startQueued(runner: SessionRunner) {
    const { sessionId } = runner;
    const writer = new EventWriter(this.options.appendQueue, sessionId, (error) =>
      this.log.warn({ sessionId, err: error.message }, "queue step not recorded"),
    );
    // A step that cannot be recorded (the database away) is logged by the writer; the wait goes on.
    const step = (ahead: number | null) => {
      try {
        writer.push([
          {
            type: "provisioning",
            step: "queue",
            label: queueStepLabel(ahead),
            state: ahead === null ? "completed" : "started",
            detail: null,
          },
        ]);
      } catch {}
    };
    const abort = new AbortController();
    this.queued.set(sessionId, abort);
    let waited = false;
    let release: () => void;
    try {
      release = await this.provisioning.acquire({
        signal: abort.signal,
        onAhead: (ahead) => {
          waited = true;
          step(ahead);
        },
      });
    } catch {
      return; // ended while waiting: the runner's teardown did the rest
    } finally {
      this.queued.delete(sessionId);
    }
    try {
      if (waited) step(null);
      await writer.flushed().catch(() => {});
      if (!runner.isStopped) await runner.start();
    } finally {
      release();
      // The next session in line (on this replica, or not yet claimed by any) gets the slot now.
      if (!this.stopping) void this.tick();
    }
  }

  private async stopIdle(sessionId: string) {
    if (!(await stopIdleSession(this.options.db, sessionId))) return; // a turn started meanwhile
    const runner = this.runners.get(sessionId);
    this.runners.delete(sessionId);
    await runner?.shutdown({ destroy: true });
  }

  private background(work: Promise<unknown>) {
    work.catch((error: Error) =>
      this.log.error({ err: error.message, stack: error.stack }, "runner task failed"),
    );
  }

  /** The sessions this replica runs right now. */
  get sessionIds(): string[] {
    return [...this.runners.keys()];
  }

  /**
   * Clean shutdown: stop claiming, let go of the agents, hand the leases back so another replica
   * (or the next start) re-attaches at once.
   */
  async stop() {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    for (const wait of this.queued.values()) wait.abort(new Error("the replica is stopping"));
    // A tick under way may be claiming sessions: its runners must be among those stopped, and it
    // must not claim back the leases handed back below (their runners would start on a provider
    // that has shut down, and record the sessions as failed).
    await this.currentTick;
    await Promise.all([...this.runners.values()].map((runner) => runner.shutdown({ destroy: false })));
    this.runners.clear();
    await releaseLeases(this.options.db, this.runnerId).catch(() => {});
  }
}
