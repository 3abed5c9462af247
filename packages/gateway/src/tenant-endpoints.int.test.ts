// Organisations' own endpoints through the gateway and "Test key", under both TENANT_PRIVATE_NETWORK
// settings. Only loopback is ever connected to: the scripted model server stands in for an
// endpoint on this machine, which "deny" must refuse and "allow" must reach; redirects are never
// followed. (Other special addresses are refused before any connection: tenant-network.test.ts.)
import http from "node:http";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeKey } from "./key-probe.ts";
import {
  ORG_KEY,
  seedSession,
  type UsedGatewayFixture,
  useGatewayFixture,
} from "./test-support/gateway-fixture.ts";

const database = useTestDatabase();
const denying = useGatewayFixture(database, { tenantPrivateNetwork: "deny" });
const allowing = useGatewayFixture(database, { tenantPrivateNetwork: "allow" });
/** Answers every request with a redirect to `target`, which counts what reaches it. */
let redirector: http.Server;
let redirectorUrl: string;
let target: http.Server;
let targetHits = 0;

const listen = async (server: http.Server) => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
};

beforeAll(async () => {
  target = http.createServer((_req, res) => {
    targetHits += 1;
    res.end("{}");
  });
  const targetUrl = await listen(target);
  redirector = http.createServer((req, res) => {
    res.writeHead(302, { location: `${targetUrl}${req.url}` });
    res.end();
  });
  redirectorUrl = await listen(redirector);
});
afterAll(async () => {
  redirector.closeAllConnections();
  target.closeAllConnections();
  await new Promise((resolve) => redirector.close(resolve));
  await new Promise((resolve) => target.close(resolve));
});

/** A session of an organisation whose custom endpoint is `baseUrl` (saved directly: as under "allow"). */
async function sessionOnEndpoint(fixture: UsedGatewayFixture, baseUrl: string) {
  const { token } = await seedSession(database.db, fixture.keyring, {
    provider: "custom",
    model: "scripted-1",
    keySource: "direct",
    organizationKey: { provider: "custom", apiKey: ORG_KEY, baseUrl },
  });
  return token;
}

const chat = (fixture: UsedGatewayFixture, token: string) =>
  fetch(`${fixture.url}/custom/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ model: "scripted-1", stream: true, messages: [{ role: "user", content: "hi" }] }),
  });

const portOf = (url: string) => new URL(url).port;

describe("an organisation's endpoint under TENANT_PRIVATE_NETWORK=deny", () => {
  it("is refused when it is, or resolves to, a loopback address, with a 403 naming why; nothing is sent", async () => {
    const port = portOf(denying.upstream.url);
    const before = denying.upstream.requests.length;
    const ledgerBefore = await database.db.ledgerEntry.count();
    for (const [baseUrl, reason] of [
      [`http://127.0.0.1:${port}/v1`, "The endpoint is a loopback address (127.0.0.1)"],
      [`http://[::1]:${port}/v1`, "The endpoint is a loopback address (::1)"],
      [`http://[::ffff:127.0.0.1]:${port}/v1`, "The endpoint is a loopback address (::ffff:7f00:1)"],
      // A name: judged by what it resolves to when the connection is made.
      [`http://localhost:${port}/v1`, "The endpoint localhost resolves to a loopback address"],
    ] as const) {
      const response = await chat(denying, await sessionOnEndpoint(denying, baseUrl));
      expect(response.status, baseUrl).toBe(403);
      const body = (await response.json()) as { error: { type: string; message: string } };
      expect(body.error.type).toBe("studio_gateway_error");
      expect(body.error.message).toContain(reason);
      expect(body.error.message).toContain(
        "which this studio does not allow. Change it in Settings → Provider keys.",
      );
    }
    expect(denying.upstream.requests.length).toBe(before);
    await denying.gateway.settled();
    // Nothing was called, so nothing is recorded.
    expect(await database.db.ledgerEntry.count()).toBe(ledgerBefore);
  });

  it("does not apply to the platform's own endpoint, which the operator configured", async () => {
    // The fixture's platform custom endpoint is the scripted server on 127.0.0.1.
    const { token } = await seedSession(database.db, denying.keyring, {
      provider: "custom",
      model: "scripted-1",
    });
    denying.upstream.enqueue([{ text: "from the platform's endpoint" }]);
    const response = await chat(denying, token);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("data: [DONE]");
  });

  it("is refused by Test key too", async () => {
    for (const baseUrl of [
      `${denying.upstream.url}/v1`,
      `http://localhost:${portOf(denying.upstream.url)}/v1`,
    ]) {
      const result = await probeKey("custom", { apiKey: ORG_KEY, baseUrl }, {}, "deny");
      expect(result).toMatchObject({ ok: false, status: null });
      expect(result.message).toMatch(
        /^The endpoint .* loopback address .*which this studio does not allow\.$/,
      );
    }
  });
});

describe("an organisation's endpoint under TENANT_PRIVATE_NETWORK=allow", () => {
  it("reaches this machine, by address or by name", async () => {
    const port = portOf(allowing.upstream.url);
    for (const baseUrl of [`http://127.0.0.1:${port}/v1`, `http://localhost:${port}/v1`]) {
      allowing.upstream.enqueue([{ text: "local model" }]);
      const response = await chat(allowing, await sessionOnEndpoint(allowing, baseUrl));
      expect(response.status, baseUrl).toBe(200);
      expect(await response.text()).toContain("data: [DONE]");
      expect(allowing.upstream.requests.at(-1)!.headers.authorization).toBe(`Bearer ${ORG_KEY}`);
    }
    const probe = await probeKey(
      "custom",
      { apiKey: ORG_KEY, baseUrl: `${allowing.upstream.url}/v1` },
      {},
      "allow",
    );
    expect(probe.ok).toBe(true);
  });

  it("is never followed through a redirect: the call fails with a 502 saying so", async () => {
    const response = await chat(allowing, await sessionOnEndpoint(allowing, `${redirectorUrl}/v1`));
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: {
        type: "studio_gateway_error",
        message: "The model provider answered with a redirect (HTTP 302), which the studio does not follow.",
      },
    });
    expect(response.headers.get("location")).toBeNull();
    const probe = await probeKey("custom", { apiKey: ORG_KEY, baseUrl: `${redirectorUrl}/v1` }, {}, "allow");
    expect(probe).toEqual({
      ok: false,
      status: 302,
      message: "The provider answered with a redirect (HTTP 302), which the studio does not follow.",
    });
    expect(targetHits).toBe(0);
  });
});

describe("an endpoint URL stored with a query string (saved before the form was checked)", () => {
  it("is refused at call time under either setting, and by Test key", async () => {
    for (const fixture of [allowing, denying]) {
      const before = fixture.upstream.requests.length;
      const token = await sessionOnEndpoint(fixture, "http://127.0.0.1:9/v1");
      // setProviderKey refuses this form now; the row is changed as an old one would look.
      await database.db.providerKey.updateMany({
        where: { provider: "custom", baseUrl: "http://127.0.0.1:9/v1" },
        data: { baseUrl: `${fixture.upstream.url}/admin?x=` },
      });
      const response = await chat(fixture, token);
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
        "The endpoint URL cannot have a query string: the studio appends the API path to it. Change it in Settings → Provider keys.",
      );
      expect(fixture.upstream.requests.length).toBe(before);
    }
    expect(
      await probeKey("custom", { apiKey: "", baseUrl: `${allowing.upstream.url}/admin?x=` }, {}, "allow"),
    ).toEqual({
      ok: false,
      status: null,
      message: "The endpoint URL cannot have a query string: the studio appends the API path to it.",
    });
  });
});
