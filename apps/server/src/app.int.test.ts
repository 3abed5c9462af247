// The studio over real HTTP: cookies, the origin check, error shapes, health, the SPA fallback, the
// typed Node client with an API token, and logs that never carry a secret.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { inertSessionsContext } from "@studio/api/testing";
import { createStudioClient, TRPCClientError } from "@studio/client";
import { newKeyring } from "@studio/core";
import { createDbClient } from "@studio/db";
import { useTestDatabase } from "@studio/testkit/vitest";
import { useTempDirs } from "@studio/testkit/vitest/temp-dirs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStudioServer, type StudioServer } from "./app.ts";
import { loadConfig } from "./config.ts";
import { createLogger } from "./logger.ts";

const newTempDir = useTempDirs();
const database = useTestDatabase();
let studio: StudioServer;
let url: string;
const logLines: string[] = [];

function testConfig() {
  const webDist = newTempDir("studio-web-");
  writeFileSync(path.join(webDist, "index.html"), "<!doctype html><title>Studio</title><div id=root></div>");
  return loadConfig({ PORT: "0", STUDIO_WEB_DIST: webDist, LOG_LEVEL: "debug" });
}

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  studio = createStudioServer({
    config: testConfig(),
    db: database.db,
    pool: database.pool,
    logger: createLogger("debug", sink),
    sessions: inertSessionsContext,
    keyring: newKeyring(),
  });
  url = await studio.listen();
});

afterAll(() => studio.close());

const PASSWORD = "a very secret password 42";

async function post(pathname: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}/api/trpc/${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url, ...headers },
    body: typeof body === "string" ? body : JSON.stringify({ json: body }),
  });
}

// Response bodies are checked field by field below, so they are read untyped.
const json = (response: Response) => response.json() as Promise<any>;

function sessionCookieOf(response: Response): string {
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith("studio_session="));
  if (!cookie) throw new Error("no session cookie");
  return cookie;
}

describe("the studio over HTTP", () => {
  it("reports the database in its health check", async () => {
    const response = await fetch(`${url}/api/health`);
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ status: "ok", database: { status: "up" } });
  });

  it("signs up with an HttpOnly SameSite=Lax cookie that authenticates later requests", async () => {
    const response = await post("auth.signUp", {
      name: "Http",
      email: "http@example.com",
      password: PASSWORD,
    });
    expect(response.status).toBe(200);
    const cookie = sessionCookieOf(response);
    expect(cookie).toMatch(/; Path=\/; HttpOnly; SameSite=Lax; Expires=/);
    expect(cookie).not.toContain("Secure");
    const me = await fetch(`${url}/api/trpc/auth.me`, { headers: { cookie: cookie.split(";")[0]! } });
    expect((await json(me)).result.data.json).toMatchObject({ user: { email: "http@example.com" } });
  });

  it("refuses a cross-site mutation with a typed 403 and writes nothing", async () => {
    const response = await post(
      "auth.signUp",
      { name: "Csrf", email: "csrf@example.com", password: PASSWORD },
      { origin: "http://evil.example" },
    );
    expect(response.status).toBe(403);
    expect((await json(response)).error.json).toMatchObject({
      message: "Cross-site request refused.",
      data: { code: "FORBIDDEN", httpStatus: 403 },
    });
    expect(await database.db.user.count({ where: { email: "csrf@example.com" } })).toBe(0);
  });

  it("answers invalid input with 400, field errors and a readable message", async () => {
    const response = await post("auth.signUp", { name: "", email: "nope", password: "x" });
    expect(response.status).toBe(400);
    const error = (await json(response)).error.json;
    expect(error.message).toMatch(
      /^Invalid input\. name: Enter your name\.; email: Enter a valid email address\./,
    );
    expect(error.data.zodError.fieldErrors).toEqual({
      name: ["Enter your name."],
      email: ["Enter a valid email address."],
      password: ["Use at least 10 characters."],
    });
    expect(JSON.stringify(error)).not.toContain("stack");
  });

  it("answers a malformed body with 400, not 500", async () => {
    const response = await post("auth.signIn", "{not json");
    expect(response.status).toBe(400);
  });

  it("answers unknown API paths with JSON 404 and other paths with the SPA", async () => {
    const api = await fetch(`${url}/api/nothing-here`);
    expect(api.status).toBe(404);
    expect(await json(api)).toEqual({ error: "Not found" });
    const page = await fetch(`${url}/settings/members`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<div id=root></div>");
  });

  it("serves the typed Node client with a personal API token", async () => {
    const signUp = await post("auth.signUp", {
      name: "Robot Owner",
      email: "robot@example.com",
      password: PASSWORD,
    });
    const cookie = sessionCookieOf(signUp).split(";")[0]!;
    const created = await post("apiTokens.create", { name: "script", expiresInDays: null }, { cookie });
    const { token } = (await json(created)).result.data.json;
    const client = createStudioClient({ url, token });
    const me = await client.auth.me.query();
    expect(me?.user.email).toBe("robot@example.com");
    expect(me?.via).toBe("token");
    const members = await client.members.list.query();
    expect(members.map((member) => member.email)).toEqual(["robot@example.com"]);

    const bad = createStudioClient({ url, token: `${token.slice(0, -4)}aaaa` });
    const error = await bad.members.list.query().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toMatchObject({ code: "UNAUTHORIZED", httpStatus: 401 });
  });

  it("never writes a password, a session token or an API token into the log", async () => {
    const signIn = await post("auth.signIn", { email: "http@example.com", password: PASSWORD });
    const cookie = sessionCookieOf(signIn).split(";")[0]!;
    const sessionToken = cookie.split("=")[1]!;
    const created = await post("apiTokens.create", { name: "log check", expiresInDays: null }, { cookie });
    const { token } = (await json(created)).result.data.json;
    await fetch(`${url}/api/trpc/members.list`, { headers: { authorization: `Bearer ${token}` } });
    const invitationToken = "inv_logcheck_9f8e7d6c5b4a";
    await fetch(`${url}/invite/${invitationToken}`);
    await fetch(`${url}/sign-in?next=${encodeURIComponent(`/invite/${invitationToken}`)}`);
    const log = logLines.join("");
    expect(log).toContain('"path":"/invite/[redacted]"');
    expect(log).not.toContain(invitationToken);
    expect(log).toContain('"path":"/api/trpc/auth.signIn"');
    for (const secret of [PASSWORD, sessionToken, token, sessionToken.split(".")[1]!, token.split("_")[2]!]) {
      expect(log).not.toContain(secret);
    }
  });
});

describe("when the database is unreachable", () => {
  it("reports degraded health and answers procedures with a plain 500 without internals", async () => {
    const broken = createDbClient("postgres://studio:studio@127.0.0.1:9/none");
    const server = createStudioServer({
      config: testConfig(),
      db: broken.db,
      pool: broken.pool,
      logger: createLogger("silent"),
      sessions: inertSessionsContext,
      keyring: newKeyring(),
    });
    const brokenUrl = await server.listen();
    try {
      const health = await fetch(`${brokenUrl}/api/health`);
      expect(health.status).toBe(503);
      expect(await json(health)).toMatchObject({ status: "degraded", database: { status: "down" } });
      const response = await fetch(`${brokenUrl}/api/trpc/auth.signIn`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: brokenUrl },
        body: JSON.stringify({ json: { email: "a@example.com", password: "whatever" } }),
      });
      expect(response.status).toBe(500);
      const body = JSON.stringify(await json(response));
      expect(body).toContain("Something went wrong on our side.");
      expect(body).not.toMatch(/ECONNREFUSED|at \w+ \(|stack/);
    } finally {
      await server.close();
      await broken.db.$disconnect();
    }
  });
});
