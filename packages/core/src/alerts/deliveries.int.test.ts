// The alert webhook end to end against real receivers on this machine and a real PostgreSQL: the
// message is signed with the secret shown at set-up, retried with backoff (the worker's clock is
// moved, nothing sleeps through it), given up after the last attempt, delivered once however many
// workers run, kept from other organisations, and never stored or returned in clear.
import { once } from "node:events";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createNotificationListener } from "@studio/db/notifications";
import { silentLogger } from "@studio/models";
import { rowCounts, seedSessionRow } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, describe, expect, it } from "vitest";
import { newKeyring } from "../keys/keyring.ts";
import type { EndpointRules } from "../keys/provider-keys.ts";
import type { ResolveHost } from "../keys/tenant-endpoint.ts";
import { AppError } from "../shared/errors.ts";
import { enqueueWebhookMessage, listWebhookDeliveries, sendTestDelivery } from "./deliveries.ts";
import { verifyWebhookSignature } from "./signing.ts";
import { postWebhook } from "./transport.ts";
import { getAlertWebhook, openAlertWebhook, removeAlertWebhook, setAlertWebhook } from "./webhook.ts";
import { startWebhookDeliveries, WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_DELAYS_MS } from "./worker.ts";

const database = useTestDatabase();
const keyring = newKeyring();
const allow: EndpointRules = { privateNetwork: "allow" };

interface Received {
  headers: IncomingMessage["headers"];
  body: string;
  /** Whether the signature checked out with the secret given at set-up, at the worker's clock. */
  verified: boolean;
}

/** A receiver on the loopback that answers each request with the next status of `statuses` (the last repeats). */
async function startReceiver(statuses: number[], options: { delayMs?: number; location?: string } = {}) {
  const received: Received[] = [];
  const state = { secret: "", clock: new Date() };
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const header = req.headers["x-studio-signature"];
      received.push({
        headers: req.headers,
        body,
        verified: verifyWebhookSignature(state.secret, String(header), body, state.clock, 300).ok,
      });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
      setTimeout(() => {
        res.writeHead(status, {
          "content-type": "text/plain",
          ...(options.location ? { location: options.location } : {}),
        });
        res.end(status >= 300 ? `receiver says no\u0000${"x".repeat(5000)}` : "ok");
      }, options.delayMs ?? 0);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  receivers.push(server);
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/studio?team=ops`, port, received, state };
}
const receivers: http.Server[] = [];
afterAll(async () => {
  for (const server of receivers) server.close();
});

/** A worker driven by runOnce() only, on a clock the test moves. */
function manualWorker(clock: { now: Date }, tenantPrivateNetwork: "allow" | "deny" = "allow") {
  return startWebhookDeliveries({
    db: database.db,
    keyring,
    logger: silentLogger,
    tenantPrivateNetwork,
    now: () => clock.now,
    poll: false,
  });
}

async function organization() {
  return (await seedSessionRow(database.db)).organizationId;
}

const delivery = (id: string) => database.db.webhookDelivery.findUniqueOrThrow({ where: { id } });

async function enqueueAlert(
  organizationId: string,
  text = "Budget “Org monthly” reached 80 % ($80.00 of $100.00).",
) {
  const id = await database.db.$transaction((tx) =>
    enqueueWebhookMessage(tx, organizationId, "budget_alert", {
      text,
      details: { percent: 80, spentMicroUsd: 80_000_000n, limitMicroUsd: 100_000_000n, kind: "forged" },
    }),
  );
  if (!id) throw new Error("no delivery was enqueued");
  return id;
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("webhook deliveries", () => {
  it("retry a receiver that fails twice with backoff, then deliver, signed with the secret given at set-up", async () => {
    const receiver = await startReceiver([500, 500, 200]);
    const organizationId = await organization();
    const created = await setAlertWebhook(database.db, keyring, organizationId, { url: receiver.url }, allow);
    expect(created.secret).toMatch(/^whsec_[a-z2-7]{48}$/);
    receiver.state.secret = created.secret;
    const id = await enqueueAlert(organizationId);
    const clock = { now: new Date() };
    receiver.state.clock = clock.now;
    const worker = manualWorker(clock);

    expect(await worker.runOnce()).toBe(1);
    let row = await delivery(id);
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
    row = await delivery(id);
    expect(row).toMatchObject({ status: "pending", attempts: 2, lastStatusCode: 500 });
    expect(row.nextAttemptAt).toEqual(new Date(clock.now.getTime() + 120_000));

    clock.now = new Date(clock.now.getTime() + 120_000);
    receiver.state.clock = clock.now;
    expect(await worker.runOnce()).toBe(1);
    row = await delivery(id);
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
    const receiver = await startReceiver([503]);
    const organizationId = await organization();
    await setAlertWebhook(database.db, keyring, organizationId, { url: receiver.url }, allow);
    const id = await enqueueAlert(organizationId);
    const clock = { now: new Date() };
    const worker = manualWorker(clock);
    for (let attempt = 1; attempt <= WEBHOOK_MAX_ATTEMPTS; attempt += 1) {
      expect(await worker.runOnce(), `attempt ${attempt}`).toBe(1);
      const row = await delivery(id);
      expect(row.attempts).toBe(attempt);
      if (attempt < WEBHOOK_MAX_ATTEMPTS) {
        expect(row.status).toBe("pending");
        const delay = WEBHOOK_RETRY_DELAYS_MS[attempt - 1]!;
        expect(row.nextAttemptAt).toEqual(new Date(clock.now.getTime() + delay));
        clock.now = new Date(clock.now.getTime() + delay);
      }
    }
    expect(await delivery(id)).toMatchObject({
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
    const receiver = await startReceiver([200], { delayMs: 15 });
    const organizationId = await organization();
    await setAlertWebhook(database.db, keyring, organizationId, { url: receiver.url }, allow);
    const ids = await Promise.all(
      Array.from({ length: 25 }, (_, n) => enqueueAlert(organizationId, `Alert ${n}`)),
    );
    const clock = { now: new Date(Date.now() + 1000) };
    const drain = async (worker: ReturnType<typeof manualWorker>) => {
      let tried = 0;
      for (let batch = await worker.runOnce(); batch > 0; batch = await worker.runOnce()) tried += batch;
      return tried;
    };
    // Other tests' rows may be due too (the claim is across organisations): count this one's at the receiver.
    const [first, second] = await Promise.all([drain(manualWorker(clock)), drain(manualWorker(clock))]);
    expect(first + second).toBeGreaterThanOrEqual(25);
    const seen = receiver.received.map((request) => String(request.headers["x-studio-delivery"]));
    expect(seen.sort()).toEqual([...ids].sort());
    const rows = await database.db.webhookDelivery.findMany({ where: { organizationId } });
    expect(rows.every((row) => row.status === "delivered" && row.attempts === 1)).toBe(true);
  });

  it("are woken by NOTIFY when enqueued, without waiting for the poll", async () => {
    const receiver = await startReceiver([200]);
    const organizationId = await organization();
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
      const id = await enqueueAlert(organizationId);
      await expect.poll(async () => (await delivery(id)).status, { timeout: 5_000 }).toBe("delivered");
    } finally {
      await worker.stop();
      await listener.close();
    }
  });

  it("are kept from other organisations: they neither see, test nor remove this one's webhook", async () => {
    const receiver = await startReceiver([200]);
    const alpha = await organization();
    const beta = await organization();
    const created = await setAlertWebhook(database.db, keyring, alpha, { url: receiver.url }, allow);
    await sendTestDelivery(database.db, alpha, "Ann");

    expect(await getAlertWebhook(database.db, beta)).toBeNull();
    expect(await listWebhookDeliveries(database.db, beta, { limit: 100 })).toEqual({
      deliveries: [],
      nextCursor: null,
    });
    const before = await rowCounts(database.db);
    const refused = await rejection(sendTestDelivery(database.db, beta, "Mallory"));
    expect([refused.code, refused.message]).toEqual(["BAD_REQUEST", "Set a webhook first."]);
    expect((await rejection(removeAlertWebhook(database.db, beta))).code).toBe("NOT_FOUND");
    expect(
      await enqueueWebhookMessage(database.db, beta, "budget_alert", { text: "x", details: {} }),
    ).toBeNull();
    expect(await rowCounts(database.db)).toEqual(before);

    // Beta's own webhook and messages stay beta's.
    const betaReceiver = await startReceiver([200]);
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
    expect((await rejection(openAlertWebhook(database.db, keyring, beta))).code).toBe("INTERNAL");
    expect((await openAlertWebhook(database.db, keyring, alpha))?.secret).toBe(created.secret);
  });

  it("never return the secret, and store it sealed", async () => {
    const receiver = await startReceiver([200]);
    const organizationId = await organization();
    const created = await setAlertWebhook(database.db, keyring, organizationId, { url: receiver.url }, allow);
    await sendTestDelivery(database.db, organizationId, "Ann");
    await manualWorker({ now: new Date(Date.now() + 1000) }).runOnce();

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
    const elsewhere = await startReceiver([200]);
    const redirecting = await startReceiver([302], { location: elsewhere.url });
    const organizationId = await organization();
    await setAlertWebhook(database.db, keyring, organizationId, { url: redirecting.url }, allow);
    const clock = { now: new Date(Date.now() + 1000) };
    const worker = manualWorker(clock);
    const redirected = await enqueueAlert(organizationId);
    expect(await worker.runOnce()).toBe(1);
    expect(await delivery(redirected)).toMatchObject({
      status: "pending",
      lastStatusCode: 302,
      lastError: "HTTP 302: redirects are not followed.",
    });
    expect(elsewhere.received).toHaveLength(0);

    const orphan = await enqueueAlert(organizationId);
    await removeAlertWebhook(database.db, organizationId);
    clock.now = new Date(clock.now.getTime() + 3_600_000);
    await worker.runOnce();
    expect(await delivery(orphan)).toMatchObject({
      status: "failed",
      lastError: "The webhook was removed before this was delivered.",
    });
    expect(await delivery(redirected)).toMatchObject({ status: "failed" });
  });
});

describe("webhook addresses", () => {
  const DNS: Record<string, string[]> = {
    "hooks.example.com": ["93.184.216.34"],
    "metadata.example.com": ["169.254.169.254"],
    "split.example.com": ["93.184.216.34", "10.0.0.5"],
    "intranet.example.com": ["10.1.2.3"],
  };
  const standInDns: ResolveHost = async (hostname) => {
    const addresses = hostname === "localhost" ? ["127.0.0.1"] : DNS[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses;
  };
  const deny: EndpointRules = { privateNetwork: "deny", resolve: standInDns };
  const allowing: EndpointRules = { privateNetwork: "allow", resolve: standInDns };

  it("refuse, when saved, URLs of the wrong form or at addresses the policy refuses, writing nothing", async () => {
    const organizationId = await organization();
    const cases: [string, EndpointRules, RegExp][] = [
      ["ftp://hooks.example.com/x", allowing, /https URL/],
      ["https://user:pw@hooks.example.com/x", allowing, /no user name or password/],
      ["not a url", allowing, /https URL/],
      ["http://127.0.0.1:9/hook", deny, /loopback address/],
      ["https://[::1]/hook", deny, /loopback address/],
      ["https://10.0.0.5/hook", deny, /private address/],
      ["https://metadata.example.com/hook", deny, /link-local address \(169\.254\.169\.254\)/],
      ["https://split.example.com/hook", deny, /private address/],
      ["https://nowhere.example.com/hook", deny, /could not be found/],
      ["http://hooks.example.com/hook", deny, /Use an https URL/],
      // Allowed private addresses, but not a public receiver in clear.
      ["http://hooks.example.com/hook", allowing, /Use an https URL/],
    ];
    for (const [url, rules, message] of cases) {
      const before = await rowCounts(database.db);
      const error = await rejection(setAlertWebhook(database.db, keyring, organizationId, { url }, rules));
      expect([error.code, error.message], url).toEqual(["BAD_REQUEST", expect.stringMatching(message)]);
      expect(await rowCounts(database.db)).toEqual(before);
    }
    for (const [url, rules] of [
      ["https://hooks.example.com/services/T0/B0/x?team=ops", deny],
      ["http://localhost:8080/hook", allowing],
      ["http://intranet.example.com/hook", allowing],
      ["https://10.0.0.5/hook", allowing],
    ] as const) {
      expect((await setAlertWebhook(database.db, keyring, organizationId, { url }, rules)).url, url).toBe(
        url,
      );
    }
  });

  it("refuse to connect to a special address under deny, even to a URL saved before (rebinding, policy change)", async () => {
    const receiver = await startReceiver([200]);
    const organizationId = await organization();
    const clock = { now: new Date(Date.now() + 1000) };
    const worker = manualWorker(clock, "deny");
    for (const url of [receiver.url, `http://localhost:${receiver.port}/hook`]) {
      await setAlertWebhook(database.db, keyring, organizationId, { url }, allow);
      const id = await enqueueAlert(organizationId);
      expect(await worker.runOnce()).toBe(1);
      const row = await delivery(id);
      expect(row, url).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: null });
      expect(row.lastError, url).toMatch(
        /^The webhook .*is a loopback address|^The webhook localhost resolves to a loopback address/,
      );
      expect(row.lastError).not.toContain("/hook");
      clock.now = new Date(clock.now.getTime() + 1000);
    }
    expect(receiver.received).toHaveLength(0);
  });

  it("give up on a receiver that does not answer in time", async () => {
    const server = http.createServer(() => {});
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    receivers.push(server);
    const { port } = server.address() as AddressInfo;
    const started = Date.now();
    const response = await postWebhook(
      { url: `http://127.0.0.1:${port}/slow`, headers: {}, body: "{}" },
      new AbortController().signal,
      { privateNetwork: "allow", timeoutMs: 300 },
    );
    expect(response).toEqual({ status: null, error: expect.stringMatching(/^No answer within/) });
    expect(Date.now() - started).toBeLessThan(3_000);
    server.closeAllConnections();
  });
});
