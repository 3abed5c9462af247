// Per client address limits over real HTTP: API requests past the allowance are 429 with
// Retry-After (in tRPC's shape on the typed API, as JSON on plain routes) while other addresses,
// health checks and the studio's own machine pass; API token creation past its allowance is refused.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { inertSessionsContext } from "@studio/api/testing";
import { newKeyring } from "@studio/core";
import { silentLogger } from "@studio/models";
import { useTestDatabase } from "@studio/testkit/vitest";
import { useTempDirs } from "@studio/testkit/vitest/temp-dirs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStudioServer, type StudioServer } from "./app.ts";
import { loadConfig } from "./config.ts";

const newTempDir = useTempDirs();
const database = useTestDatabase();
const REQUESTS_PER_MINUTE = 30;
/** The API's TOKENS_PER_ADDRESS_PER_HOUR (packages/api/src/routers/api-tokens.ts). */
const TOKENS_PER_ADDRESS_PER_HOUR = 20;
let studio: StudioServer;
let url: string;

beforeAll(async () => {
  const webDist = newTempDir("studio-web-");
  writeFileSync(path.join(webDist, "index.html"), "<!doctype html><title>Studio</title><div id=root></div>");
  studio = createStudioServer({
    // One proxy in front: the client's address is the last X-Forwarded-For entry.
    config: loadConfig({
      PORT: "0",
      STUDIO_WEB_DIST: webDist,
      TRUST_PROXY: "true",
      API_REQUESTS_PER_MINUTE_PER_ADDRESS: String(REQUESTS_PER_MINUTE),
      // A QA team's runners, which make many accounts and tokens from one address on purpose.
      LIMITS_EXEMPT_ADDRESSES: "192.0.2.0/24, 2001:db8:ee::/48",
    }),
    db: database.db,
    pool: database.pool,
    logger: silentLogger,
    sessions: inertSessionsContext,
    keyring: newKeyring(),
  });
  url = await studio.listen();
});

afterAll(() => studio?.close());

const from = (address: string | null, headers: Record<string, string> = {}) =>
  address === null ? headers : { ...headers, "x-forwarded-for": address };

const me = (address: string | null) => fetch(`${url}/api/trpc/auth.me`, { headers: from(address) });

function post(pathname: string, body: unknown, address: string, headers: Record<string, string> = {}) {
  return fetch(`${url}/api/trpc/${pathname}`, {
    method: "POST",
    headers: from(address, { "content-type": "application/json", origin: url, ...headers }),
    body: JSON.stringify({ json: body }),
  });
}

// Response bodies are checked field by field below, so they are read untyped.
const json = (response: Response) => response.json() as Promise<any>;

function expectRetryAfter(response: Response, atMost: number) {
  expect(response.status).toBe(429);
  const seconds = Number(response.headers.get("retry-after"));
  expect(Number.isInteger(seconds)).toBe(true);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(atMost);
}

describe("API requests per client address", () => {
  it("answer the one past the allowance with 429 and Retry-After, on tRPC and plain routes alike", async () => {
    const busy = "203.0.113.10";
    // tRPC calls and plain API routes count together (the export is refused for want of a
    // session, after being counted).
    for (let index = 0; index < REQUESTS_PER_MINUTE; index++) {
      const response =
        index % 3 === 0
          ? await fetch(`${url}/api/usage/ledger.csv`, { headers: from(busy) })
          : await me(busy);
      expect(response.status, `request ${index + 1}`).not.toBe(429);
      await response.arrayBuffer();
    }
    const refused = await me(busy);
    expectRetryAfter(refused, 60);
    expect((await json(refused)).error.json).toMatchObject({
      message: expect.stringMatching(
        /^Too many requests from your network \(at most 30 a minute\)\. Try again in \d+ seconds\.$/,
      ),
      data: { code: "TOO_MANY_REQUESTS", httpStatus: 429, retryAfterSeconds: expect.any(Number) },
    });
    const plain = await fetch(`${url}/api/usage/ledger.csv`, { headers: from(busy) });
    expectRetryAfter(plain, 60);
    expect(await json(plain)).toEqual({
      error: expect.stringMatching(/^Too many requests from your network/),
    });
    // A refused sign-up creates nothing.
    const signUp = await post(
      "auth.signUp",
      { name: "Late", email: "late@example.com", password: "a very secret password 42" },
      busy,
    );
    expectRetryAfter(signUp, 60);
    expect(await database.db.user.count({ where: { email: "late@example.com" } })).toBe(0);

    // Another address, health checks, the web app and the studio's own machine are not held back.
    expect((await me("198.51.100.7")).status).toBe(200);
    expect((await fetch(`${url}/api/health`, { headers: from(busy) })).status).toBe(200);
    expect((await fetch(`${url}/`, { headers: from(busy) })).status).toBe(200);
    expect((await me(null)).status).toBe(200);
  });

  it("count an IPv6 client by its /64, where every address is its own to take", async () => {
    for (let index = 0; index < REQUESTS_PER_MINUTE; index++)
      expect((await me(`2001:db8:5:7::${(index + 1).toString(16)}`)).status).toBe(200);
    expectRetryAfter(await me("2001:db8:5:7:ffff:1:2:3"), 60);
    expect((await me("2001:db8:5:8::1")).status).toBe(200);
  });
});

describe("API token creation per client address", () => {
  it(`allows ${TOKENS_PER_ADDRESS_PER_HOUR} an hour from one address and refuses the next, creating nothing`, async () => {
    const address = "203.0.113.20";
    const signUp = await post(
      "auth.signUp",
      { name: "Token Maker", email: "tokens@example.com", password: "a very secret password 42" },
      address,
    );
    expect(signUp.status).toBe(200);
    const cookie = signUp.headers
      .getSetCookie()
      .find((value) => value.startsWith("studio_session="))!
      .split(";")[0]!;
    const user = await database.db.user.findUniqueOrThrow({ where: { email: "tokens@example.com" } });
    for (let index = 0; index < TOKENS_PER_ADDRESS_PER_HOUR; index++) {
      const created = await post("apiTokens.create", { name: `t${index}`, expiresInDays: null }, address, {
        cookie,
      });
      expect(created.status, `token ${index + 1}`).toBe(200);
    }
    const refused = await post("apiTokens.create", { name: "one too many", expiresInDays: null }, address, {
      cookie,
    });
    expectRetryAfter(refused, 60 * 60);
    expect((await json(refused)).error.json).toMatchObject({
      message: expect.stringMatching(
        /^Too many API tokens were created from your network\. Try again in 60 minutes\.$/,
      ),
      data: { code: "TOO_MANY_REQUESTS" },
    });
    expect(await database.db.apiToken.count({ where: { userId: user.id } })).toBe(
      TOKENS_PER_ADDRESS_PER_HOUR,
    );
    // Another address is counted on its own.
    const elsewhere = await post(
      "apiTokens.create",
      { name: "from home", expiresInDays: null },
      "198.51.100.20",
      {
        cookie,
      },
    );
    expect(elsewhere.status).toBe(200);
  });
});

describe("addresses the operator exempts (LIMITS_EXEMPT_ADDRESSES)", () => {
  it("are held back by no per-address limit: API requests, sign-ups and API tokens", async () => {
    const runner = "192.0.2.9";
    for (let index = 0; index < REQUESTS_PER_MINUTE + 5; index++)
      expect((await me(runner)).status, `request ${index + 1}`).toBe(200);
    expect((await me("2001:db8:ee:1::7")).status).toBe(200);
    // More sign-ups than any address may make in an hour.
    let cookie = "";
    for (let index = 0; index < 22; index++) {
      const signUp = await post(
        "auth.signUp",
        {
          name: `Runner ${index}`,
          email: `runner-${index}@example.com`,
          password: "a very secret password 42",
        },
        runner,
      );
      expect(signUp.status, `sign-up ${index + 1}`).toBe(200);
      cookie = signUp.headers
        .getSetCookie()
        .find((value) => value.startsWith("studio_session="))!
        .split(";")[0]!;
    }
    for (let index = 0; index < TOKENS_PER_ADDRESS_PER_HOUR + 2; index++) {
      const created = await post("apiTokens.create", { name: `r${index}`, expiresInDays: null }, runner, {
        cookie,
      });
      expect(created.status, `token ${index + 1}`).toBe(200);
    }
    // The range is the operator's: the next address along is counted.
    for (let index = 0; index < REQUESTS_PER_MINUTE; index++) await me("192.0.3.1");
    expectRetryAfter(await me("192.0.3.1"), 60);
  });
});
