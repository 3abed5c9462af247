// A custom endpoint's models (issue 17, point 3): asked by the studio with the stored key, through
// the tenant guard, bounded in time and size, read with zod, kept briefly per organisation and
// forgotten when the endpoint changes. The scripted model server stands in for Ollama, vLLM, LM Studio.
import http from "node:http";
import { newKeyring, setProviderKey } from "@studio/core";
import type { Db } from "@studio/db";
import { type ScriptedModelServer, startScriptedModelServer } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createModelListing, type ModelListingOptions } from "./model-listing.ts";

const database = useTestDatabase();
const keyring = newKeyring();
const ORG_KEY = "sk-endpoint-PLANTED-0123456789";
let endpoint: ScriptedModelServer;
let other: ScriptedModelServer;
let redirector: http.Server;
let redirectorUrl: string;

beforeAll(async () => {
  endpoint = await startScriptedModelServer({ expectedKey: ORG_KEY });
  other = await startScriptedModelServer();
  redirector = http.createServer((req, res) => {
    res.writeHead(302, { location: `${endpoint.url}${req.url}` });
    res.end();
  });
  await new Promise<void>((resolve) => redirector.listen(0, "127.0.0.1", resolve));
  redirectorUrl = `http://127.0.0.1:${(redirector.address() as { port: number }).port}`;
});
afterAll(async () => {
  await endpoint.close();
  await other.close();
  redirector.closeAllConnections();
  await new Promise((resolve) => redirector.close(resolve));
});

let counter = 0;
/** An organisation (with its owner), with its custom endpoint when `baseUrl` is given. */
/** `apiKey` null: an endpoint that needs no key. */
async function organization(db: Db, baseUrl?: string, apiKey: string | null = ORG_KEY) {
  counter += 1;
  const userId = `user-listing-${counter}`;
  const organizationId = `org-listing-${counter}`;
  await db.user.create({
    data: { id: userId, email: `${userId}@example.com`, name: "L", passwordHash: "x" },
  });
  await db.organization.create({ data: { id: organizationId, name: "L", slug: organizationId } });
  const actor = { userId, organizationId, role: "owner" as const };
  const setEndpoint = (url: string, key: string | null = apiKey) =>
    setProviderKey(db, keyring, actor, { provider: "custom", baseUrl: url, ...(key ? { apiKey: key } : {}) });
  if (baseUrl) await setEndpoint(baseUrl);
  return { organizationId, setEndpoint };
}

const listing = (overrides: Partial<ModelListingOptions> = {}) =>
  createModelListing({ db: database.db, keyring, upstreams: {}, privateNetwork: "allow", ...overrides });

/** The GET /models requests a model server has had. */
const listings = (server: ScriptedModelServer) =>
  server.requests.filter((request) => request.method === "GET" && request.path.endsWith("/models"));

describe("a custom endpoint's models", () => {
  it("are what GET <baseUrl>/models lists, asked with the stored key", async () => {
    endpoint.models = ["llama3.1:8b", "qwen2.5-coder:7b", "llama3.1:8b"];
    const { organizationId } = await organization(database.db, `${endpoint.url}/v1`);
    const before = listings(endpoint).length;
    expect(await listing().forOrganization(organizationId)).toEqual({
      ok: true,
      models: ["llama3.1:8b", "qwen2.5-coder:7b"],
    });
    const [request] = listings(endpoint).slice(before);
    expect(request).toMatchObject({ path: "/v1/models", authorized: true });
    expect(request?.headers.authorization).toBe(`Bearer ${ORG_KEY}`);
  });

  it("are an empty list for a server that lists nothing, and null without any endpoint", async () => {
    other.models = [];
    const { organizationId } = await organization(database.db, `${other.url}/v1`, null);
    expect(await listing().forOrganization(organizationId)).toEqual({ ok: true, models: [] });
    expect(listings(other).at(-1)?.headers.authorization).toBeUndefined();
    const none = await organization(database.db);
    expect(await listing().forOrganization(none.organizationId)).toBeNull();
  });

  it("come from the platform's endpoint, with the platform's key, for an organisation without its own", async () => {
    other.models = ["platform-model"];
    const { organizationId } = await organization(database.db);
    const platform = listing({
      upstreams: { custom: { baseUrl: `${other.url}/v1`, apiKey: "platform-endpoint-key" } },
      // The operator's own endpoint is never checked against TENANT_PRIVATE_NETWORK.
      privateNetwork: "deny",
    });
    expect(await platform.forOrganization(organizationId)).toEqual({ ok: true, models: ["platform-model"] });
    expect(listings(other).at(-1)?.headers.authorization).toBe("Bearer platform-endpoint-key");
  });
});

describe("an endpoint that cannot be listed", () => {
  const closedPort = async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    return port;
  };

  it("is reported in words when it cannot be reached, refuses the key, redirects or is refused by policy", async () => {
    const unreachable = await organization(database.db, `http://127.0.0.1:${await closedPort()}/v1`);
    expect(await listing().forOrganization(unreachable.organizationId)).toEqual({
      ok: false,
      reason: "The endpoint could not be reached.",
    });
    const wrongKey = await organization(database.db, `${endpoint.url}/v1`, "sk-wrong-key-0123456789");
    expect(await listing().forOrganization(wrongKey.organizationId)).toEqual({
      ok: false,
      reason: "The endpoint answered GET /models with HTTP 401.",
    });
    const redirected = await organization(database.db, `${redirectorUrl}/v1`);
    const before = listings(endpoint).length;
    expect(await listing().forOrganization(redirected.organizationId)).toEqual({
      ok: false,
      reason:
        "The endpoint answered GET /models with a redirect (HTTP 302), which the studio does not follow.",
    });
    expect(listings(endpoint).length).toBe(before);
    // Under deny an organisation's endpoint on the loopback is never connected to.
    const loopback = await organization(database.db, `${endpoint.url}/v1`);
    expect(await listing({ privateNetwork: "deny" }).forOrganization(loopback.organizationId)).toEqual({
      ok: false,
      reason: "The endpoint is a loopback address (127.0.0.1), which this studio does not allow.",
    });
    expect(listings(endpoint).length).toBe(before);
  });

  it("is reported when it answers nonsense, too much, or not in time", async () => {
    const server = await startScriptedModelServer();
    try {
      const { organizationId } = await organization(database.db, `${server.url}/v1`);
      const fresh = () =>
        listing({ limits: { maxBytes: 4096, timeoutMs: 300 } }).forOrganization(organizationId);
      const cases: [ScriptedModelServer["models"], string][] = [
        [
          { status: 200, body: "<html>It works!</html>", contentType: "text/html" },
          "The endpoint's answer to GET /models is not a model list (not JSON).",
        ],
        [
          { status: 200, body: JSON.stringify({ models: [{ name: "llama3" }] }) },
          "The endpoint's answer to GET /models is not a model list (no `data` list).",
        ],
        [
          { status: 200, body: JSON.stringify({ data: [{ id: "ok" }, { id: 42 }] }) },
          "The endpoint's answer to GET /models is not a model list (an entry without a usable `id`).",
        ],
        [
          { status: 200, body: JSON.stringify({ data: [{ id: "x".repeat(5000) }] }) },
          "The endpoint's model list is larger than 4 KB, more than the studio reads.",
        ],
        [{ status: 500, body: "{}" }, "The endpoint answered GET /models with HTTP 500."],
        [{ hang: true }, "The endpoint did not list its models within 0.3 seconds."],
      ];
      for (const [answer, reason] of cases) {
        server.models = answer;
        expect(await fresh(), reason).toEqual({ ok: false, reason });
      }
    } finally {
      await server.close();
    }
  });
});

describe("the listing is kept briefly", () => {
  it("is asked once for concurrent and repeated reads, again after it expires, and at once after a change", async () => {
    const server = await startScriptedModelServer({ models: ["first"] });
    try {
      const { organizationId, setEndpoint } = await organization(database.db, `${server.url}/v1`);
      const cache = listing({ limits: { ttlMs: 400 } });
      const reads = await Promise.all([1, 2, 3].map(() => cache.forOrganization(organizationId)));
      expect(reads).toEqual([1, 2, 3].map(() => ({ ok: true, models: ["first"] })));
      server.models = ["second"];
      expect(await cache.forOrganization(organizationId)).toEqual({ ok: true, models: ["first"] });
      expect(listings(server)).toHaveLength(1);

      // Forgotten when the key or endpoint changes on this replica (`keys.changed`).
      cache.forget(organizationId);
      expect(await cache.forOrganization(organizationId)).toEqual({ ok: true, models: ["second"] });
      expect(listings(server)).toHaveLength(2);

      // Expired.
      server.models = ["third"];
      await new Promise((resolve) => setTimeout(resolve, 450));
      expect(await cache.forOrganization(organizationId)).toEqual({ ok: true, models: ["third"] });

      // Changed through another replica: the key row's change is seen at the next read.
      server.models = ["fourth"];
      await setEndpoint(`${server.url}/v1/`);
      expect(await cache.forOrganization(organizationId)).toEqual({ ok: true, models: ["fourth"] });
      expect(listings(server)).toHaveLength(4);
    } finally {
      await server.close();
    }
  });

  it("keeps a failure for less long than a list", async () => {
    const server = await startScriptedModelServer({ models: { status: 503, body: "{}" } });
    try {
      const { organizationId } = await organization(database.db, `${server.url}/v1`);
      const cache = listing({ limits: { ttlMs: 60_000, failureTtlMs: 200 } });
      expect(await cache.forOrganization(organizationId)).toMatchObject({ ok: false });
      server.models = ["back"];
      expect(await cache.forOrganization(organizationId)).toMatchObject({ ok: false });
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await cache.forOrganization(organizationId)).toEqual({ ok: true, models: ["back"] });
    } finally {
      await server.close();
    }
  });

  it("is per organisation: another organisation never gets it, with or without an endpoint of its own", async () => {
    endpoint.models = ["mine-only"];
    other.models = ["theirs"];
    const cache = listing();
    const mine = await organization(database.db, `${endpoint.url}/v1`);
    const theirs = await organization(database.db, `${other.url}/v1`, null);
    const without = await organization(database.db);
    expect(await cache.forOrganization(mine.organizationId)).toEqual({ ok: true, models: ["mine-only"] });
    expect(await cache.forOrganization(theirs.organizationId)).toEqual({ ok: true, models: ["theirs"] });
    expect(await cache.forOrganization(without.organizationId)).toBeNull();
    // The other organisation's read never carried this one's key.
    expect(listings(other).some((request) => request.headers.authorization?.includes(ORG_KEY))).toBe(false);
  });
});
