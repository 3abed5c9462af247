// The alert webhook's addresses: refused when saved in the wrong form or where the policy refuses,
// refused again at connect time under deny (rebinding, a policy change), and a receiver that never
// answers is given up on.
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { rowCounts } from "@studio/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import type { EndpointRules } from "../keys/provider-keys.ts";
import type { ResolveHost } from "../keys/tenant-endpoint.ts";
import { postWebhook } from "./transport.ts";
import { setAlertWebhook } from "./webhook.ts";
import { useWebhookTestKit } from "./webhook-test-support.ts";

const kit = useWebhookTestKit();
const { database, keyring, allow } = kit;

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
    const organizationId = await kit.organization();
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
      const error = await kit.rejection(
        setAlertWebhook(database.db, keyring, organizationId, { url }, rules),
      );
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
    const receiver = await kit.startReceiver([200]);
    const organizationId = await kit.organization();
    const clock = { now: new Date(Date.now() + 1000) };
    const worker = kit.manualWorker(clock, "deny");
    for (const url of [receiver.url, `http://localhost:${receiver.port}/hook`]) {
      await setAlertWebhook(database.db, keyring, organizationId, { url }, allow);
      const id = await kit.enqueueAlert(organizationId);
      expect(await worker.runOnce()).toBe(1);
      const row = await kit.delivery(id);
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
    onTestFinished(() => void server.close());
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
