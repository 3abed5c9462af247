// The HTTP server's defences against pages elsewhere and greedy callers, over real HTTP: requests
// under another name (DNS rebinding) refused before anything runs, origins from configuration only,
// small tRPC batches, the web app's Content-Security-Policy, the Secure cookie following PUBLIC_URL,
// and a cap on the live event streams one user holds open.
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { inertSessionsContext } from "@studio/api/testing";
import { newKeyring } from "@studio/core";
import { seedSessionRow } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { useTempDirs } from "@studio/testkit/vitest/temp-dirs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createStudioServer, MAX_BATCH_SIZE, type StudioServer } from "./app.ts";
import { loadConfig } from "./config.ts";
import { inlineScriptHashes } from "./http/csp.ts";
import { createLogger } from "./logger.ts";

const newTempDir = useTempDirs();
const database = useTestDatabase();
const THEME_SCRIPT = "document.documentElement.classList.toggle('dark', true);";
/** SUBSCRIPTIONS_PER_USER of the studio under test. */
const STREAMS_PER_USER = 4;
const INDEX_HTML = `<!doctype html><title>Studio</title><script>${THEME_SCRIPT}</script><div id=root></div>`;
let studio: StudioServer;
let url: string;
let port: number;

function startStudio(env: Record<string, string> = {}) {
  const webDist = newTempDir("studio-web-");
  writeFileSync(path.join(webDist, "index.html"), INDEX_HTML);
  return createStudioServer({
    config: loadConfig({ PORT: "0", STUDIO_WEB_DIST: webDist, STUDIO_DATA_DIR: "/nonexistent", ...env }),
    db: database.db,
    pool: database.pool,
    logger: createLogger("silent"),
    sessions: inertSessionsContext,
    keyring: newKeyring(),
  });
}

beforeAll(async () => {
  studio = startStudio({ SUBSCRIPTIONS_PER_USER: String(STREAMS_PER_USER) });
  url = await studio.listen();
  port = studio.port();
});

afterAll(() => studio.close());

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** node:http, since fetch will not send a Host of our choosing. */
function raw(
  pathname: string,
  options: {
    host: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    toPort?: number;
  },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: "127.0.0.1",
        port: options.toPort ?? port,
        path: pathname,
        method: options.method ?? "GET",
        headers: { ...options.headers, host: options.host },
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    request.on("error", reject);
    request.end(options.body);
  });
}

const signUpBody = (email: string) =>
  JSON.stringify({ json: { name: "Rebinder", email, password: "a very secret password 42" } });

function signUpAs(host: string, origin: string | null, email: string) {
  return raw("/api/trpc/auth.signUp", {
    host,
    method: "POST",
    headers: { "content-type": "application/json", ...(origin ? { origin } : {}) },
    body: signUpBody(email),
  });
}

const userExists = async (email: string) => (await database.db.user.count({ where: { email } })) > 0;

describe("DNS rebinding", () => {
  it("answers every route 421 under a name that is not the studio's, before anything runs", async () => {
    for (const pathname of [
      "/api/health",
      "/api/trpc/auth.me",
      "/api/llm/custom/chat/completions",
      "/api/usage/ledger.csv",
      "/",
      "/settings/members",
    ]) {
      for (const host of [`rebind.example:${port}`, "rebind.example", `localhost:${port + 1}`, "127.0.0.2"]) {
        const response = await raw(pathname, { host });
        expect(response.status, `${host}${pathname}`).toBe(421);
        expect(response.headers["content-type"]).toMatch(/^text\/plain/);
        expect(response.headers["set-cookie"]).toBeUndefined();
      }
    }
  });

  it("answers its loopback names on its own port", async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect((await raw("/api/health", { host })).status, host).toBe(200);
    }
  });

  it("refuses a rebound page's sign-up: forged Host and Origin pairs", async () => {
    const cases: { host: string; origin: string | null; status: number }[] = [
      // The attack: the page's own name in both.
      { host: `rebind.example:${port}`, origin: `http://rebind.example:${port}`, status: 421 },
      // A forged Origin cannot help a foreign Host, nor a studio Host help a foreign Origin.
      { host: `rebind.example:${port}`, origin: url, status: 421 },
      { host: `localhost:${port}`, origin: `http://rebind.example:${port}`, status: 403 },
      // Origin built from the Host header is no longer trusted.
      { host: `localhost:${port}`, origin: `https://localhost:${port}`, status: 403 },
      { host: `localhost:${port}`, origin: "null", status: 403 },
      // The studio's own pages, and programs that send no Origin.
      { host: `localhost:${port}`, origin: url, status: 200 },
      { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}`, status: 200 },
      { host: `localhost:${port}`, origin: null, status: 200 },
    ];
    for (const { host, origin, status } of cases) {
      const email = `rebind-${randomUUID()}@example.com`;
      const response = await signUpAs(host, origin, email);
      expect(response.status, `${host} ${origin}`).toBe(status);
      expect(await userExists(email), `${host} ${origin}`).toBe(status === 200);
    }
  });

  it("answers PUBLIC_URL's name and origin, and loopback origins only on loopback", async () => {
    const proxied = startStudio({ PUBLIC_URL: "https://studio.example.test", HOST: "127.0.0.1" });
    await proxied.listen();
    try {
      const toPort = proxied.port();
      const ok = await raw("/api/trpc/auth.signUp", {
        host: "studio.example.test",
        toPort,
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://studio.example.test" },
        body: signUpBody(`proxied-${randomUUID()}@example.com`),
      });
      expect(ok.status).toBe(200);
      // The cookie follows PUBLIC_URL's scheme, whatever NODE_ENV says.
      expect(String(ok.headers["set-cookie"])).toMatch(/; Secure/);
      expect((await raw("/api/health", { host: "studio.example.test:80", toPort })).status).toBe(421);
      expect((await raw("/api/health", { host: `localhost:${toPort}`, toPort })).status).toBe(200);
    } finally {
      await proxied.close();
    }
  });
});

describe("tRPC batches", () => {
  const batch = (size: number) => Array.from({ length: size }, () => "auth.me").join(",");

  it(`runs at most ${MAX_BATCH_SIZE} calls in one request`, async () => {
    const within = await fetch(`${url}/api/trpc/${batch(MAX_BATCH_SIZE)}?batch=1&input={}`);
    expect(within.status).toBe(200);
    expect(await within.json()).toHaveLength(MAX_BATCH_SIZE);
    const over = await fetch(`${url}/api/trpc/${batch(MAX_BATCH_SIZE + 1)}?batch=1&input={}`);
    expect(over.status).toBe(400);
  });

  it("refuses a batch of a thousand sign-ins before any runs", async () => {
    const email = `batch-${randomUUID()}@example.com`;
    await signUpAs(`localhost:${port}`, url, email);
    const calls = 1000;
    const input = Object.fromEntries(
      Array.from({ length: calls }, (_, index) => [index, { json: { email, password: `wrong ${index}` } }]),
    );
    const response = await fetch(
      `${url}/api/trpc/${Array.from({ length: calls }, () => "auth.signIn").join(",")}?batch=1`,
      {
        method: "POST",
        headers: { "content-type": "application/json", origin: url },
        body: JSON.stringify(input),
      },
    );
    expect(response.status).toBe(400);
    // Nothing was attempted, so the account is not locked: the right password still works.
    const signIn = await fetch(`${url}/api/trpc/auth.signIn`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: url },
      body: JSON.stringify({ json: { email, password: "a very secret password 42" } }),
    });
    expect(signIn.status).toBe(200);
  });
});

describe("the web app's headers", () => {
  it("carries a Content-Security-Policy allowing its own inline script by hash", async () => {
    for (const pathname of ["/", "/sessions/abc", "/settings/members"]) {
      const response = await fetch(`${url}${pathname}`);
      expect(response.status).toBe(200);
      const policy = response.headers.get("content-security-policy") ?? "";
      expect(policy).toContain("default-src 'self'");
      expect(policy).toContain("img-src 'self' data:");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).toContain(`script-src 'self' ${inlineScriptHashes(INDEX_HTML)[0]}`);
      expect(policy).not.toContain("unsafe-inline");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
    }
  });
});

describe("live event streams", () => {
  it(`lets one user hold SUBSCRIPTIONS_PER_USER (${STREAMS_PER_USER}) open, refuses more with a typed error, and frees closed ones`, async () => {
    const email = `streams-${randomUUID()}@example.com`;
    const signUp = await signUpAs(`localhost:${port}`, url, email);
    const cookie = String(signUp.headers["set-cookie"]).split(";")[0]!;
    const user = await database.db.user.findUniqueOrThrow({ where: { email } });
    const membership = await database.db.membership.findFirstOrThrow({ where: { userId: user.id } });
    const { sessionId } = await seedSessionRow(
      database.db,
      {},
      { owner: { userId: user.id, organizationId: membership.organizationId } },
    );
    const input = encodeURIComponent(JSON.stringify({ json: { sessionId } }));
    const controllers: AbortController[] = [];
    const open = async () => {
      const controller = new AbortController();
      controllers.push(controller);
      const response = await fetch(`${url}/api/trpc/sessions.events?input=${input}`, {
        headers: { cookie, accept: "text/event-stream" },
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      // The first frame says whether the stream started or was refused.
      const { value } = await reader.read();
      return { response, first: new TextDecoder().decode(value), reader };
    };
    const streams = [];
    for (let index = 0; index < STREAMS_PER_USER; index += 1) streams.push(await open());
    for (const { first } of streams) expect(first).toMatch(/connected/);
    const refused = await open();
    expect(refused.first).toMatch(/serialized-error/);
    expect(refused.first).toContain("TOO_MANY_REQUESTS");
    expect(refused.first).toContain("live session views open already");

    // Closing one frees its slot.
    controllers[0]!.abort();
    await vi.waitFor(
      async () => {
        const again = await open();
        expect(again.first).toMatch(/connected/);
      },
      { timeout: 10_000, interval: 200 },
    );
    for (const controller of controllers) controller.abort();
  });
});
