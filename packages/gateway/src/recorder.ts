// Turns a finished (or cut-off) model call into its ledger entry. Recording happens after the
// response has been streamed, off the sandbox's critical path, calls finishing close together are
// written together, and a write is retried with the same request ids while the database is away:
// the ledger is idempotent on them, so a retry never charges twice.
import { setTimeout as sleep } from "node:timers/promises";
import {
  appendEvents,
  formatUsd,
  type MeteredCall,
  markProviderKeyUsed,
  type RecordedCall,
  recordBudgetCrossings,
  recordModelCalls,
  type SpendSubjects,
  stopSession,
} from "@studio/core";
import { type Db, isConnectionError, type SqlPool } from "@studio/db";
import type { Logger } from "@studio/models";
import type { GatewayAccess, GatewaySession } from "./access.ts";
import type { AllowanceHold } from "./allowances.ts";
import { estimateUsage, type MeteredUsage, type UsageMeter } from "./metering/index.ts";
import { PriceCache } from "./price-cache.ts";
import { type PricedModel, pricedModel, reportedModelPricing } from "./reported-model.ts";
import type { GatewayProvider } from "./upstreams.ts";

/** Tries of a call PostgreSQL refuses (a deadlock may pass; a deleted session will not). */
const RECORD_ATTEMPTS = 5;
/**
 * How long a batch waits for a database that is away (restarting, failing over, unreachable)
 * before its calls are given up. They are only in memory: giving up sooner loses calls that
 * happened, and a batch keeps accumulating nothing while it waits (later calls queue behind it).
 */
const DATABASE_PATIENCE_MS = 120_000;
const RETRY_DELAY_MAX_MS = 5_000;
/** Calls per statement at most, however many finished while the last one was written. */
const MAX_BATCH = 200;
/**
 * Statements start at least this far apart; calls that finish in between go in the next one. Each
 * statement costs a durable commit and a notification whatever it carries, so under steady traffic
 * this turns one per call into one per interval, while a call after a quiet spell is written at once.
 */
const MIN_WRITE_INTERVAL_MS = 20;
/** One "out of credits" notice per session per minute, however often the agent retries. */
const NOTICE_INTERVAL_MS = 60_000;
const KEY_USE_INTERVAL_MS = 60_000;
/** How often, at most, spend is compared with budgets' alert thresholds (an alert is that late at most). */
const ALERT_CHECK_MS = 1_000;

export interface CallStart {
  requestId: string;
  session: GatewaySession;
  /** The model the request named. */
  model: string;
  requestBody: Buffer;
  organizationKey: GatewayProvider | null;
  /** The budget allowances holding the call's worst case, when it was admitted from them. */
  budgetHold?: AllowanceHold | null;
}

export interface PendingCall {
  finish(status: number, metered: ReturnType<UsageMeter["result"]>): void;
  /** The provider was never reached: nothing to record. */
  abandon(): void;
}

interface QueuedCall {
  start: CallStart;
  call: MeteredCall;
  priced: PricedModel;
}

const ZERO: MeteredUsage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 };

export class CallRecorder {
  private readonly pending = new Set<Promise<void>>();
  /** Prices by model; the budget check peeks into the same cache for a call's worst case. */
  readonly prices: PriceCache;
  private readonly noticed = new Map<string, number>();
  /** Who spent since the last alert check, by organisation, member and token. */
  private readonly spenders = new Map<string, SpendSubjects>();
  private alertTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly keysMarked = new Map<string, number>();
  private queue: QueuedCall[] = [];
  private draining = false;
  private lastWriteAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Db,
    private readonly pool: SqlPool,
    private readonly access: GatewayAccess,
    private readonly logger: Logger,
    private readonly platformMarkupBps: number,
    private readonly minWriteIntervalMs = MIN_WRITE_INTERVAL_MS,
    private readonly databasePatienceMs = DATABASE_PATIENCE_MS,
  ) {
    this.prices = new PriceCache(db);
  }

  begin(start: CallStart): PendingCall {
    let done = false;
    return {
      finish: (status, metered) => {
        if (done) return;
        done = true;
        // A successful call without a complete usage report was cut off: estimate what is missing, and say so.
        const succeeded = status >= 200 && status < 300;
        const usage =
          metered.reported ?? (succeeded ? estimateUsage(start.requestBody, metered.outputChars) : ZERO);
        const priced = pricedModel(start.model, metered.model);
        const call: MeteredCall = {
          requestId: start.requestId,
          sessionId: start.session.id,
          model: priced.model,
          requestedModel: priced.requestedModel,
          ...usage,
          estimated: succeeded && !metered.complete,
          upstreamStatus: status,
          at: new Date(),
        };
        this.enqueue({ start, call, priced });
      },
      abandon: () => {
        if (done) return;
        done = true;
        start.budgetHold?.release();
      },
    };
  }

  /**
   * Calls finished while a batch is being written, or within MIN_WRITE_INTERVAL_MS of the last
   * write's start, wait and form the next batch: a lone call is written at once, steady traffic costs
   * one statement (and one durable commit) per interval instead of one per call.
   */
  private enqueue(item: QueuedCall) {
    this.queue.push(item);
    if (this.draining) return;
    this.draining = true;
    this.track(this.drain());
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const wait = this.lastWriteAt + this.minWriteIntervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      this.lastWriteAt = performance.now();
      await this.recordBatch(this.queue.splice(0, MAX_BATCH));
    }
    this.draining = false;
  }

  private async recordBatch(batch: QueuedCall[]): Promise<void> {
    let results: RecordedCall[];
    const started = performance.now();
    let refusals = 0;
    const price = reportedModelPricing(
      this.prices.lookUp,
      batch.map(({ start, priced }) => ({ organizationId: start.session.organizationId, priced })),
    );
    for (let attempt = 1; ; attempt++) {
      try {
        results = await recordModelCalls(
          this.db,
          this.pool,
          batch.map(({ start, call }) => ({
            call,
            session: start.session,
            allowanceIds: start.budgetHold?.allowanceIds,
          })),
          { platformMarkupBps: this.platformMarkupBps, price },
        );
        break;
      } catch (error) {
        const away = isConnectionError(error);
        if (!away && batch.length > 1) {
          // PostgreSQL refused the statement because of one of its calls (its session deleted,
          // say) and rolled it back: that call must not take the others with it.
          for (const item of batch) await this.recordBatch([item]);
          return;
        }
        if (!away) refusals += 1;
        const waited = performance.now() - started;
        if (refusals >= RECORD_ATTEMPTS || waited >= this.databasePatienceMs) {
          // Never silent: these calls happened and were not recorded. Their worst cases stay spent.
          for (const { start } of batch) start.budgetHold?.recorded(null);
          for (const { call } of batch)
            this.logger.warn(
              { sessionId: call.sessionId, requestId: call.requestId, err: String(error) },
              "metering failed",
            );
          return;
        }
        // A database that is away gets the whole batch again, as one statement, once it is back.
        await sleep(Math.min(100 * 2 ** attempt, RETRY_DELAY_MAX_MS));
      }
    }
    // In the calls' order, so the cached balance ends at the last one's.
    for (const [index, result] of results.entries()) {
      const { start, call } = batch[index]!;
      // A duplicate's cost was taken from its allowances when it was first written; not known here.
      start.budgetHold?.recorded(result.duplicate ? null : result.costMicroUsd);
      if (!result.duplicate)
        this.access.noteCharge(
          call.sessionId,
          start.session.organizationId,
          result.balanceAfterMicroUsd,
          result.costMicroUsd,
        );
    }
    await Promise.all(results.map((result, index) => this.afterRecorded(batch[index]!.start, result)));
    for (const [index, result] of results.entries()) {
      const { session } = batch[index]!.start;
      if (result.duplicate || result.costMicroUsd <= 0n) continue;
      const who = {
        organizationId: session.organizationId,
        userId: session.userId,
        apiTokenId: session.apiTokenId,
      };
      this.spenders.set(`${who.organizationId}|${who.userId}|${who.apiTokenId ?? ""}`, who);
    }
    // Alert thresholds are checked for everyone who spent, at most once per ALERT_CHECK_MS: the
    // check reads budgets and spend, work a busy gateway should not repeat for every batch.
    if (this.spenders.size > 0 && !this.alertTimer)
      this.alertTimer = setTimeout(() => this.checkAlerts(), ALERT_CHECK_MS).unref();
  }

  private checkAlerts(): void {
    clearTimeout(this.alertTimer);
    this.alertTimer = undefined;
    const spenders = [...this.spenders.values()];
    this.spenders.clear();
    if (spenders.length === 0) return;
    this.track(
      recordBudgetCrossings(this.db, spenders).then(
        () => {},
        (error) => this.logger.warn({ err: String(error) }, "budget alerts failed"),
      ),
    );
  }

  /** What follows a recorded call; its failures are logged, never a reason to record it again. */
  private async afterRecorded(start: CallStart, result: RecordedCall): Promise<void> {
    try {
      if (start.organizationKey) await this.markKeyUsed(start.session.organizationId, start.organizationKey);
      if (result.budgetExceeded)
        await this.stopForBudget(
          start.session,
          `Budget of ${formatUsd(result.budgetExceeded.budgetMicroUsd)} reached`,
        );
    } catch (error) {
      this.logger.warn({ sessionId: start.session.id, err: String(error) }, "after metering failed");
    }
  }

  /** "Last used" is shown to the minute: one write a minute per key, not one per call. */
  private async markKeyUsed(organizationId: string, provider: GatewayProvider) {
    const key = `${organizationId}:${provider}`;
    const last = this.keysMarked.get(key) ?? 0;
    if (Date.now() - last < KEY_USE_INTERVAL_MS) return;
    this.keysMarked.set(key, Date.now());
    await markProviderKeyUsed(this.db, organizationId, provider);
  }

  /** Ends a session whose budget (its own, or a hard one covering it) is spent, saying which. */
  async stopForBudget(session: GatewaySession, reason: string) {
    this.access.forgetSession(session.id);
    try {
      await stopSession(
        this.db,
        { userId: session.userId, organizationId: session.organizationId },
        session.id,
        reason,
      );
    } catch (error) {
      // Already stopped by someone else: nothing left to do.
      this.logger.warn({ sessionId: session.id, err: String(error) }, "budget stop skipped");
    }
  }

  /** Stops the session for a spent budget, off the refused call's path (settled() waits for it). */
  trackStop(session: GatewaySession, reason: string): void {
    this.track(this.stopForBudget(session, reason));
  }

  /** Tells the person why the agent's calls fail, once a minute at most. */
  noticeOutOfCredits(session: GatewaySession): void {
    this.noticeRefusal(
      session,
      "out_of_credits",
      "Out of platform credits: the agent's model calls are refused. Ask a platform admin for credits, or add your own provider key.",
    );
  }

  /** A refusal the person should see in the session's chat (a spent budget), once a minute per kind. */
  noticeRefusal(session: GatewaySession, code: string, message: string): void {
    const key = `${session.id}:${code}`;
    const last = this.noticed.get(key) ?? 0;
    if (Date.now() - last < NOTICE_INTERVAL_MS) return;
    this.noticed.set(key, Date.now());
    this.track(
      appendEvents(this.db, session.id, [{ type: "notice", level: "warning", code, message }]).then(
        () => {},
        (error) => this.logger.warn({ sessionId: session.id, err: String(error) }, "credit notice failed"),
      ),
    );
  }

  private track(work: Promise<void>) {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0 || this.alertTimer) {
      if (this.alertTimer) this.checkAlerts();
      await Promise.all([...this.pending]);
    }
  }
}
