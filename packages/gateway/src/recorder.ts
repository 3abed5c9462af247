// Turns a finished (or cut-off) model call into its ledger entry. Recording happens after the
// response has been streamed, off the sandbox's critical path, and is retried with the same request
// id if the database hiccups: the ledger is idempotent on it, so a retry never charges twice.
import {
  appendEvents,
  formatUsd,
  type MeteredCall,
  markProviderKeyUsed,
  recordModelCall,
  stopSession,
} from "@studio/core";
import type { Db } from "@studio/db";
import type { GatewayAccess, GatewaySession } from "./access.ts";
import { estimateUsage, type MeteredUsage, type UsageMeter } from "./metering/index.ts";
import { PriceCache } from "./price-cache.ts";
import type { GatewayProvider } from "./upstreams.ts";

export interface RecorderLogger {
  warn(details: object, message: string): void;
  error?(details: object, message: string): void;
}

const RECORD_ATTEMPTS = 5;
/** One "out of credits" notice per session per minute, however often the agent retries. */
const NOTICE_INTERVAL_MS = 60_000;
const KEY_USE_INTERVAL_MS = 60_000;

export interface CallStart {
  requestId: string;
  session: GatewaySession;
  model: string;
  requestBody: Buffer;
  organizationKey: GatewayProvider | null;
}

export interface PendingCall {
  finish(status: number, metered: ReturnType<UsageMeter["result"]>): void;
  /** The provider was never reached: nothing to record. */
  abandon(): void;
}

const ZERO: MeteredUsage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 };

export class CallRecorder {
  private readonly pending = new Set<Promise<void>>();
  private readonly prices: PriceCache;
  private readonly noticed = new Map<string, number>();
  private readonly keysMarked = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly access: GatewayAccess,
    private readonly logger: RecorderLogger,
    private readonly platformMarkupBps: number,
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
        const call: MeteredCall = {
          requestId: start.requestId,
          sessionId: start.session.id,
          model: start.model,
          ...usage,
          estimated: succeeded && !metered.complete,
          upstreamStatus: status,
          at: new Date(),
        };
        this.track(this.record(start, call));
      },
      abandon: () => {
        done = true;
      },
    };
  }

  private async record(start: CallStart, call: MeteredCall): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await recordModelCall(this.db, call, {
          platformMarkupBps: this.platformMarkupBps,
          session: start.session,
          price: this.prices.lookUp,
        });
        if (!result.duplicate)
          this.access.noteCharge(
            call.sessionId,
            start.session.organizationId,
            result.balanceAfterMicroUsd,
            result.costMicroUsd,
          );
        if (start.organizationKey)
          await this.markKeyUsed(start.session.organizationId, start.organizationKey);
        if (result.budgetExceeded)
          await this.stopForBudget(start.session, result.budgetExceeded.budgetMicroUsd);
        return;
      } catch (error) {
        if (attempt >= RECORD_ATTEMPTS) {
          // Never silent: the call happened and was not recorded.
          this.logger.warn(
            { sessionId: call.sessionId, requestId: call.requestId, err: String(error) },
            "metering failed",
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
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

  private async stopForBudget(session: GatewaySession, budget: bigint) {
    this.access.forgetSession(session.id);
    try {
      await stopSession(
        this.db,
        { userId: session.userId, organizationId: session.organizationId },
        session.id,
        `Budget of ${formatUsd(budget)} reached`,
      );
    } catch (error) {
      // Already stopped by someone else: nothing left to do.
      this.logger.warn({ sessionId: session.id, err: String(error) }, "budget stop skipped");
    }
  }

  /** Tells the person why the agent's calls fail, once a minute at most. */
  noticeOutOfCredits(session: GatewaySession): void {
    const last = this.noticed.get(session.id) ?? 0;
    if (Date.now() - last < NOTICE_INTERVAL_MS) return;
    this.noticed.set(session.id, Date.now());
    this.track(
      appendEvents(this.db, session.id, [
        {
          type: "notice",
          level: "warning",
          code: "out_of_credits",
          message:
            "Out of platform credits: the agent's model calls are refused. Ask an admin to add credits, or add your own provider key.",
        },
      ]).then(
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
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
