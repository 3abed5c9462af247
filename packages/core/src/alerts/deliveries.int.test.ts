import { createNotificationListener } from "@studio/db/notifications";
import { silentLogger } from "@studio/models";
import { rowCounts } from "@studio/testkit";
import { describe, expect, it } from "vitest";
import { enqueueWebhookMessage, listWebhookDeliveries, sendTestDelivery } from "./deliveries.ts";
import { verifyWebhookSignature } from "./signing.ts";
import { getAlertWebhook, openAlertWebhook, removeAlertWebhook, setAlertWebhook } from "./webhook.ts";
import { useWebhookTestKit } from "./webhook-test-support.ts";
import { startWebhookDeliveries, WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_DELAYS_MS } from "./worker.ts";

const kit = useWebhookTestKit();
const { database, keyring, allow } = kit;

describe("webhook deliveries", () => {
  it("retry a receiver that fails twice with backoff, then deliver, signed with the secret given at set-up", async () => {
    const receiver = await kit.startReceiver([500, 500, 200]);
    const organizationId = await kit.organization();
    const created = await setAlertWebhook(database.db, keyring, organizationId, { url: receiver.url }, allow);
    expect(created.secret).toMatch(/^whsec_[a-z2-7]{48}$/);
    receiver.state.secret = created.secret;
    const id = await kit.enqueueAlert(organizationId);
    const clock = { now: new Date() };
    receiver.state.clock = clock.now;
    const worker = kit.manualWorker(clock);

    expect(await worker.runOnce()).toBe(1);
    let row = await kit.delivery(id);
    expect(row).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500, deliveredAt: null });
    expect(row.lastError).toMatch(/^HTTP 500: receiver says no x+…$/);
    expect(row.lastError!.length).toBeLessThanOrEqual(220);
    expect(row.nextAttemptAt).toEqual(new Date(clock.now.getTime() + 30_000));
    // Not due yet: nothing is sent before the backoff is over.
    clock.now = new Date(clock.now.getTime() + 29_000);
    expect(await worker.runOnce()).toBe(0);

    clock.now = new Date(clock.now.getTime() + 1_000);
    receiver.state.clock = clock.now;
    expect(await worker.runOnce()).toBe(1);
    row = await kit.delivery(id);
    expect(row).toMatchObject({ status: "pending", attempts: 2, lastStatusCode: 500 });
    expect(row.nextAttemptAt).toEqual(new Date(clock.now.getTime() + 120_000));

    clock.now = new Date(clock.now.getTime() + 120_000);
    receiver.state.clock = clock.now;
    expect(await worker.runOnce()).toBe(1);
    row = await kit.delivery(id);
    expect(row).toMatchObject({
      status: "delivered",
      attempts: 3,
      lastStatusCode: 200,
      lastError: null,
      nextAttemptAt: null,
      deliveredAt: clock.now,
    });
    clock.now = new Date(clock.now.getTime() + 86_400_000);
    expect(await worker.runOnce()).toBe(0);

    expect(receiver.received).toHaveLength(3);
    for (const request of receiver.received) {
      expect(request.verified).toBe(true);
      expect(request.headers["x-studio-delivery"]).toBe(id);
      expect(request.headers["x-studio-event"]).toBe("budget_alert");
      expect(request.headers["content-type"]).toBe("application/json");
      expect(
        verifyWebhookSignature(
          "whsec_wrong",
          String(request.headers["x-studio-signature"]),
          request.body,
          clock.now,
        ).ok,
      ).toBe(false);
    }
    const body = JSON.parse(receiver.received[2]!.body);
    expect(body).toEqual({
      text: "Budget “Org monthly” reached 80 % ($80.00 of $100.00).",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: body.text } }],
      studio: {
        kind: "budget_alert",
        text: "Budget “Org monthly” reached 80 % ($80.00 of $100.00).",
        percent: 80,
        spentMicroUsd: "80000000",
        limitMicroUsd: "100000000",
      },
    });
    const listed = await listWebhookDeliveries(database.db, organizationId, { limit: 10 });
    expect(listed.deliveries).toEqual([
      expect.objectContaining({
        id,
        status: "delivered",
        attempts: 3,
        kind: "budget_alert",
        text: body.studio.text,
      }),
    ]);
  });

  it("give a receiver that always fails up as failed after the last attempt", async () => {
    const receiver = await kit.startReceiver([503]);
    const organizationId = await kit.organization();
    await setAlertWebhook(database.db, keyring, organizationId, { url: receiver.url }, allow);
    const id = await kit.enqueueAlert(organizationId);
    const clock = { now: new Date() };
    const worker = kit.manualWorker(clock);
    for (let attempt = 1; attempt <= WEBHOOK_MAX_ATTEMPTS; attempt += 1) {
      expect(await worker.runOnce(), `attempt ${attempt}`).toBe(1);
      const row = await kit.delivery(id);
      expect(row.attempts).toBe(attempt);
      if (attempt < WEBHOOK_MAX_ATTEMPTS) {
        expect(row.status).toBe("pending");
        const delay = WEBHOOK_RETRY_DELAYS_MS[attempt - 1]!;
        expect(row.nextAttemptAt).toEqual(new Date(clock.now.getTime() + delay));
        clock.now = new Date(clock.now.getTime() + delay);
      }
    }
    expect(await kit.delivery(id)).toMatchObject({
      status: "failed",
      attempts: 6,
      lastStatusCode: 503,
      nextAttemptAt: null,
      deliveredAt: null,
    });
    clock.now = new Date(clock.now.getTime() + 30 * 86_400_000);
    expect(await worker.runOnce()).toBe(0);
    expect(receiver.received).toHaveLength(6);
  });

  it("deliver each row once when two workers run at the same time", async () => {
    const receiver = await kit.startReceiver([200], { delayMs: 15 });
    const organizationId = await kit.organization();
    await setAlertWebhook(database.db, keyring, organizationId, { url: receiver.url }, allow);
    const ids = await Promise.all(
      Array.from({ length: 25 }, (_, n) => kit.enqueueAlert(organizationId, `Alert ${n}`)),
    );
    const clock = { now: new Date(Date.now() + 1000) };
    const drain = async (worker: ReturnType<typeof kit.manualWorker>) => {
      let tried = 0;
      for (let batch = await worker.runOnce(); batch > 0; batch = await worker.runOnce()) tried += batch;
      return tried;
    };
    // Other tests' rows may be due too (the claim is across organisations): count this one's at the receiver.
    const [first, second] = await Promise.all([
      drain(kit.manualWorker(clock)),
      drain(kit.manualWorker(clock)),
    ]);
    expect(first + second).toBeGreaterThanOrEqual(25);
    const seen = receiver.received.map((request) => String(request.headers["x-studio-delivery"]));
    expect(seen.sort()).toEqual([...ids].sort());
    const rows = await database.db.webhookDelivery.findMany({ where: { organizationId } });
    expect(rows.every((row) => row.status === "delivered" && row.attempts === 1)).toBe(true);
  });

  it("are woken by NOTIFY when enqueued, without waiting for the poll", async () => {
    const receiver = await kit.startReceiver([200]);
    const organizationId = await kit.organization();
    await setAlertWebhook(database.db, keyring, organizationId, { url: receiver.url }, allow);
    const listener = await createNotificationListener(database.url);
    const worker = startWebhookDeliveries({
      db: database.db,
      keyring,
      logger: silentLogger,
      tenantPrivateNetwork: "allow",
      wakeups: listener,
      pollMs: 600_000,
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const id = await kit.enqueueAlert(organizationId);
      await expect.poll(async () => (await kit.delivery(id)).status, { timeout: 5_000 }).toBe("delivered");
    } finally {
      await worker.stop();
      await listener.close();
    }
  });

  it("are kept from other organisations: they neither see, test nor remove this one's webhook", async () => {
    const receiver = await kit.startReceiver([200]);
    const alpha = await kit.organization();
    const beta = await kit.organization();
    const created = await setAlertWebhook(database.db, keyring, alpha, { url: receiver.url }, allow);
    await sendTestDelivery(database.db, alpha, "Ann");

    expect(await getAlertWebhook(database.db, beta)).toBeNull();
    expect(await listWebhookDeliveries(database.db, beta, { limit: 100 })).toEqual({
      deliveries: [],
      nextCursor: null,
    });
    const before = await rowCounts(database.db);
    const refused = await kit.rejection(sendTestDelivery(database.db, beta, "Mallory"));
    expect([refused.code, refused.message]).toEqual(["BAD_REQUEST", "Set a webhook first."]);
    expect((await kit.rejection(removeAlertWebhook(database.db, beta))).code).toBe("NOT_FOUND");
    expect(
      await enqueueWebhookMessage(database.db, beta, "budget_alert", { text: "x", details: {} }),
    ).toBeNull();
    expect(await rowCounts(database.db)).toEqual(before);

    // Beta's own webhook and messages stay beta's.
    const betaReceiver = await kit.startReceiver([200]);
    await setAlertWebhook(database.db, keyring, beta, { url: betaReceiver.url }, allow);
    await sendTestDelivery(database.db, beta, "Mallory");
    expect((await getAlertWebhook(database.db, alpha))?.url).toBe(receiver.url);
    const alphaLog = await listWebhookDeliveries(database.db, alpha, { limit: 100 });
    expect(alphaLog.deliveries.map((d) => [d.kind, d.text])).toEqual([
      ["test", expect.stringMatching(/^Test message from Studio: .* Sent by Ann\.$/)],
    ]);
    // A sealed secret copied onto another organisation's row does not open there.
    const alphaRow = await database.db.alertWebhook.findUniqueOrThrow({ where: { organizationId: alpha } });
    await database.db.alertWebhook.update({
      where: { organizationId: beta },
      data: { secretSealed: alphaRow.secretSealed, keyVersion: alphaRow.keyVersion },
    });
    expect((await kit.rejection(openAlertWebhook(database.db, keyring, beta))).code).toBe("INTERNAL");
    expect((await openAlertWebhook(database.db, keyring, alpha))?.secret).toBe(created.secret);
  });

  it("never return the secret, and store it sealed", async () => {
    const receiver = await kit.startReceiver([200]);
    const organizationId = await kit.organization();
    const created = await setAlertWebhook(database.db, keyring, organizationId, { url: receiver.url }, allow);
    await sendTestDelivery(database.db, organizationId, "Ann");
    await kit.manualWorker({ now: new Date(Date.now() + 1000) }).runOnce();

    const shown = await getAlertWebhook(database.db, organizationId);
    expect(Object.keys(shown!).sort()).toEqual(["createdAt", "url"]);
    const listed = await listWebhookDeliveries(database.db, organizationId, { limit: 10 });
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    const secretBytes = Buffer.from(created.secret, "utf8");
    const randomPart = Buffer.from(created.secret.slice("whsec_".length), "utf8");
    for (const table of ["alert_webhooks", "webhook_deliveries"]) {
      const rows = await database.db.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM ${table}`);
      const raw = Buffer.from(
        rows
          .flatMap((row) => Object.values(row))
          .map((value) =>
            value instanceof Uint8Array ? Buffer.from(value).toString("latin1") : JSON.stringify(value),
          )
          .join("|"),
        "latin1",
      );
      expect(raw.includes(secretBytes), table).toBe(false);
      expect(raw.includes(randomPart), table).toBe(false);
      expect(raw.includes(Buffer.from(created.secret.slice(10, 26))), table).toBe(false);
    }
    // Replacing the webhook makes a new secret: the old one no longer verifies what is sent.
    const replaced = await setAlertWebhook(
      database.db,
      keyring,
      organizationId,
      { url: receiver.url },
      allow,
    );
    expect(replaced.secret).not.toBe(created.secret);
    expect((await openAlertWebhook(database.db, keyring, organizationId))?.secret).toBe(replaced.secret);
  });

  it("end a delivery whose webhook was removed as failed, and follow no redirect", async () => {
    const elsewhere = await kit.startReceiver([200]);
    const redirecting = await kit.startReceiver([302], { location: elsewhere.url });
    const organizationId = await kit.organization();
    await setAlertWebhook(database.db, keyring, organizationId, { url: redirecting.url }, allow);
    const clock = { now: new Date(Date.now() + 1000) };
    const worker = kit.manualWorker(clock);
    const redirected = await kit.enqueueAlert(organizationId);
    expect(await worker.runOnce()).toBe(1);
    expect(await kit.delivery(redirected)).toMatchObject({
      status: "pending",
      lastStatusCode: 302,
      lastError: "HTTP 302: redirects are not followed.",
    });
    expect(elsewhere.received).toHaveLength(0);

    const orphan = await kit.enqueueAlert(organizationId);
    await removeAlertWebhook(database.db, organizationId);
    clock.now = new Date(clock.now.getTime() + 3_600_000);
    await worker.runOnce();
    expect(await kit.delivery(orphan)).toMatchObject({
      status: "failed",
      lastError: "The webhook was removed before this was delivered.",
    });
    expect(await kit.delivery(redirected)).toMatchObject({ status: "failed" });
  });
});
