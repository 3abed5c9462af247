// Test support for the alert webhook's integration tests: real receivers on the loopback, a worker
// driven by runOnce() on a clock the test moves, and an organisation to send for.
import { once } from "node:events";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { silentLogger } from "@studio/models";
import { seedSessionRow } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, expect } from "vitest";
import { newKeyring } from "../keys/keyring.ts";
import type { EndpointRules } from "../keys/provider-keys.ts";
import { AppError } from "../shared/errors.ts";
import { enqueueWebhookMessage } from "./deliveries.ts";
import { verifyWebhookSignature } from "./signing.ts";
import { startWebhookDeliveries } from "./worker.ts";

export function useWebhookTestKit() {
  const database = useTestDatabase();
  const keyring = newKeyring();
  /** Receivers run on the loopback, which the studio's default policy refuses. */
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

  return {
    database,
    keyring,
    allow,
    startReceiver,
    manualWorker,
    organization,
    delivery,
    enqueueAlert,
    rejection,
  };
}
