// Large request bodies cannot pile up (issue 16, point 6): the bytes the gateway holds at once are
// capped, in all and per account, and a call over a cap is answered at once with a Retry-After.
import http from "node:http";
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { seedSession, useGatewayFixture } from "./test-support/gateway-fixture.ts";

const database = useTestDatabase();
const fixture = useGatewayFixture(database, { requestBytes: { total: 1_000_000, perUser: 700_000 } });

/** A call of about 200 kB. */
const chatBody = JSON.stringify({
  model: "scripted-1",
  stream: false,
  messages: [{ role: "user", content: "hi ".repeat(70_000) }],
});

/** A call that declares `length` bytes and sends only the first few, holding its share open. */
function trickle(token: string, length: number) {
  const req = http.request(`${fixture.url}/custom/chat/completions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "content-length": length,
    },
  });
  req.on("error", () => {});
  req.write('{"model":"scripted-1",');
  return req;
}

const call = (token: string) =>
  fetch(`${fixture.url}/custom/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: chatBody,
  });

describe("request bytes held at once", () => {
  it("refuses calls over the account's share (429) or the gateway's total (503), until bytes are given back", async () => {
    const alice = await seedSession(database.db, fixture.keyring, {
      provider: "custom",
      model: "scripted-1",
    });
    const bob = await seedSession(database.db, fixture.keyring, { provider: "custom", model: "scripted-1" });
    // A held call's reservation lands when the gateway has read its headers: waited for before the
    // next call, which would otherwise race it (and could be the one held, refusing the trickle).
    const settle = { timeout: 20_000, interval: 100 };
    const slow = trickle(alice.token, 600_000);
    await expect.poll(() => fixture.gateway.requestBytesHeld(), settle).toBe(600_000);
    await expect.poll(async () => (await call(alice.token)).status, settle).toBe(429);
    const refused = await call(alice.token);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.headers.get("content-security-policy")).toBe("sandbox; default-src 'none'");

    const slower = trickle(bob.token, 350_000);
    await expect.poll(() => fixture.gateway.requestBytesHeld(), settle).toBe(950_000);
    await expect.poll(async () => (await call(bob.token)).status, settle).toBe(503);
    const busy = await call(bob.token);
    expect(busy.headers.get("retry-after")).toBe("1");
    expect(await busy.json()).toMatchObject({ error: { message: expect.stringContaining("busy") } });

    slow.destroy();
    slower.destroy();
    await expect.poll(async () => (await call(alice.token)).status, settle).toBe(200);
  });

  it("refuses a body declared larger than 32 MiB before reading it", async () => {
    const { token } = await seedSession(database.db, fixture.keyring, {
      provider: "custom",
      model: "scripted-1",
    });
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${fixture.url}/custom/chat/completions`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${token}`,
          "content-length": 33 * 1024 * 1024,
        },
      });
      req.on("response", (res) => resolve(res.statusCode ?? 0));
      req.on("error", reject);
      req.flushHeaders();
    });
    expect(status).toBe(413);
  });
});
