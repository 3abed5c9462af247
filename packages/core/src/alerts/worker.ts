// Delivers enqueued webhook messages. Every replica runs a worker; each due row is claimed by one
// (FOR UPDATE SKIP LOCKED, and the claim moves the row's next attempt a lease ahead, so no other
// worker sees it due while it is being sent). The claim counts the attempt before the request, so
// a replica that dies mid-request cannot retry a message forever: after the lease the row is due
// again and the next try is the next attempt. Delivery is therefore at least once; receivers
// deduplicate by X-Studio-Delivery.
import type { Db } from "@studio/db";
import type { Logger } from "@studio/models";
import type { Keyring } from "../keys/keyring.ts";
import type { PrivateNetworkPolicy } from "../keys/special-addresses.ts";
import { AppError } from "../shared/errors.ts";
import { WEBHOOK_DELIVERIES_CHANNEL } from "./deliveries.ts";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhookBody } from "./signing.ts";
import { DELIVERY_TIMEOUT_MS, postWebhook, type SendWebhook, type WebhookResponse } from "./transport.ts";
import { openAlertWebhook } from "./webhook.ts";

/** After the 1st, 2nd, … failed attempt, the next one waits this long; after the last, it failed. */
export const WEBHOOK_RETRY_DELAYS_MS = [30_000, 120_000, 600_000, 3_600_000, 21_600_000] as const;
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_DELAYS_MS.length + 1;
/** A claimed row is someone's for this long: well past the request's timeout. */
const CLAIM_LEASE_MS = DELIVERY_TIMEOUT_MS * 6;
const POLL_MS = 2_000;
const BATCH = 10;
const ERROR_CHARS = 300;

/** What the worker needs of the LISTEN connection (`@studio/db/notifications`). */
export interface DeliveryWakeups {
  subscribe(channel: string, handler: (payload: string) => void): () => void;
}

export interface WebhookDeliveryOptions {
  db: Db;
  keyring: Keyring;
  logger: Logger;
  /** TENANT_PRIVATE_NETWORK: under "deny" a delivery may only connect to public addresses. */
  tenantPrivateNetwork: PrivateNetworkPolicy;
  /** Sends one request; postWebhook (guarded by the policy above) by default. */
  send?: SendWebhook;
  /** The clock; tests move it past the backoff instead of waiting. */
  now?: () => Date;
  /** Wakes the worker when a delivery is enqueued on any replica; without it, polling alone. */
  wakeups?: DeliveryWakeups;
  /** False: no timer and no wake-ups, only runOnce() (tests). Default true. */
  poll?: boolean;
  pollMs?: number;
}

export interface WebhookDeliveries {
  /** Stops polling and interrupts requests under way (their rows are due again at once). */
  stop(): Promise<void>;
  /** Claims the rows due now and tries each once; returns how many were tried. */
  runOnce(): Promise<number>;
}

interface ClaimedRow {
  id: string;
  organizationId: string;
  kind: string;
  payload: unknown;
  attempts: number;
}

const clip = (text: string) => (text.length > ERROR_CHARS ? `${text.slice(0, ERROR_CHARS - 1)}…` : text);

function outcomeOf(response: WebhookResponse): {
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
} {
  if (response.status === null) return { delivered: false, statusCode: null, error: clip(response.error) };
  const { status, answer } = response;
  if (status >= 200 && status < 300) return { delivered: true, statusCode: status, error: null };
  if (status >= 300 && status < 400)
    return { delivered: false, statusCode: status, error: `HTTP ${status}: redirects are not followed.` };
  return {
    delivered: false,
    statusCode: status,
    error: clip(answer ? `HTTP ${status}: ${answer}` : `HTTP ${status}`),
  };
}

export function startWebhookDeliveries(options: WebhookDeliveryOptions): WebhookDeliveries {
  const { db, keyring, logger, tenantPrivateNetwork } = options;
  const now = options.now ?? (() => new Date());
  const send: SendWebhook =
    options.send ??
    ((request, signal) => postWebhook(request, signal, { privateNetwork: tenantPrivateNetwork }));
  const stopping = new AbortController();

  async function claim(at: Date): Promise<ClaimedRow[]> {
    const leaseUntil = new Date(at.getTime() + CLAIM_LEASE_MS);
    return db.$queryRaw<ClaimedRow[]>`
      UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ${leaseUntil}
      WHERE id IN (
        SELECT id FROM webhook_deliveries
        WHERE status = 'pending' AND next_attempt_at <= ${at}
        ORDER BY next_attempt_at
        FOR UPDATE SKIP LOCKED
        LIMIT ${BATCH}
      )
      RETURNING id, organization_id AS "organizationId", kind, payload, attempts`;
  }

  /** Writes the attempt's outcome, unless the row moved on meanwhile (its lease lapsed and another worker took it). */
  async function record(
    row: ClaimedRow,
    outcome: { delivered: boolean; statusCode: number | null; error: string | null },
  ) {
    const at = now();
    const finalAttempt = row.attempts >= WEBHOOK_MAX_ATTEMPTS;
    const delay = WEBHOOK_RETRY_DELAYS_MS[row.attempts - 1] ?? 0;
    await db.webhookDelivery.updateMany({
      where: { id: row.id, status: "pending", attempts: row.attempts },
      data: {
        status: outcome.delivered ? "delivered" : finalAttempt ? "failed" : "pending",
        lastStatusCode: outcome.statusCode,
        lastError: outcome.error,
        deliveredAt: outcome.delivered ? at : null,
        nextAttemptAt: outcome.delivered || finalAttempt ? null : new Date(at.getTime() + delay),
      },
    });
    const log = {
      deliveryId: row.id,
      organizationId: row.organizationId,
      attempt: row.attempts,
      statusCode: outcome.statusCode,
    };
    if (outcome.delivered) logger.info(log, "webhook delivered");
    else logger.warn({ ...log, error: outcome.error, final: finalAttempt }, "webhook delivery failed");
  }

  async function deliver(row: ClaimedRow) {
    let webhook: { url: string; secret: string } | null;
    try {
      webhook = await openAlertWebhook(db, keyring, row.organizationId);
    } catch (error) {
      // A database failure leaves the row claimed: it is tried again when the claim lapses.
      if (!(error instanceof AppError)) throw error;
      return record(row, {
        delivered: false,
        statusCode: null,
        error: "The webhook's signing secret could not be decrypted; set the webhook again.",
      });
    }
    if (!webhook) {
      // Nothing to send to, now or later: the log says so instead of retrying for hours.
      await db.webhookDelivery.updateMany({
        where: { id: row.id, status: "pending", attempts: row.attempts },
        data: {
          status: "failed",
          lastError: "The webhook was removed before this was delivered.",
          nextAttemptAt: null,
        },
      });
      return;
    }
    const body = JSON.stringify(row.payload);
    const timestamp = Math.floor(now().getTime() / 1000);
    const response = await send(
      {
        url: webhook.url,
        body,
        headers: {
          "content-type": "application/json",
          "user-agent": "Studio-Webhooks/1",
          [SIGNATURE_HEADER]: signWebhookBody(webhook.secret, timestamp, body),
          [DELIVERY_HEADER]: row.id,
          [EVENT_HEADER]: row.kind,
        },
      },
      stopping.signal,
    );
    if (stopping.signal.aborted && response.status === null) {
      // Interrupted by shutdown: not the receiver's fault, so the attempt does not count.
      await db.webhookDelivery.updateMany({
        where: { id: row.id, status: "pending", attempts: row.attempts },
        data: { attempts: row.attempts - 1, nextAttemptAt: now() },
      });
      return;
    }
    await record(row, outcomeOf(response));
  }

  async function runOnce(): Promise<number> {
    if (stopping.signal.aborted) return 0;
    const rows = await claim(now());
    await Promise.all(
      rows.map((row) =>
        deliver(row).catch((error: unknown) =>
          logger.error({ err: error, deliveryId: row.id }, "webhook delivery could not be recorded"),
        ),
      ),
    );
    return rows.length;
  }

  // One run at a time on this replica; a wake-up during a run asks for one more after it.
  let running: Promise<void> | null = null;
  let again = false;
  let claimFailing = false;
  function wake() {
    if (stopping.signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          // A full batch may mean more are due: keep going until a claim comes back short.
          while ((await runOnce()) === BATCH && !stopping.signal.aborted);
          claimFailing = false;
        } catch (error) {
          // Once per outage, not every poll: the studio rides out database outages.
          if (!claimFailing)
            logger.warn({ err: (error as Error).message }, "webhook deliveries: claiming failed");
          claimFailing = true;
        }
      } while (again && !stopping.signal.aborted);
    })().finally(() => {
      running = null;
    });
  }

  const polling = options.poll ?? true;
  const timer = polling ? setInterval(wake, options.pollMs ?? POLL_MS) : null;
  timer?.unref();
  const unsubscribe =
    polling && options.wakeups ? options.wakeups.subscribe(WEBHOOK_DELIVERIES_CHANNEL, wake) : null;
  if (polling) wake();

  return {
    runOnce,
    async stop() {
      if (timer) clearInterval(timer);
      unsubscribe?.();
      stopping.abort();
      await running;
    },
  };
}
