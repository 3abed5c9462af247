// `sessions.events` is served by its own SSE writer (`@studio/api`'s session-events-sse.ts) rather
// than tRPC's web-stream pipeline. Its bytes must be tRPC's: each case reads the same request from
// the studio and from a bare tRPC handler over the same router, context and database, and compares
// status, the headers that matter and the body. Live events come through a real LISTEN connection.
import http from "node:http";
import { appRouter, type Context } from "@studio/api";
import { inertSessionsContext, testKeysContext } from "@studio/api/testing";
import { appendEvents, newId, SessionEventBus } from "@studio/core";
import { createNotificationListener, type NotificationListener } from "@studio/db/notifications";
import { useTestDatabase } from "@studio/testkit/vitest";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStudioServer, type StudioServer } from "./app.ts";
import { loadConfig } from "./config.ts";
import { createRequestContext } from "./http/context.ts";
import { createLogger } from "./logger.ts";
import { signUpAccount } from "./testing/studio-process.ts";

const database = useTestDatabase();
let listener: NotificationListener;
let bus: SessionEventBus;
let studio: StudioServer;
let bare: http.Server;
let studioUrl: string;
let bareUrl: string;
let token: string;
let sessionId: string;

beforeAll(async () => {
  listener = await createNotificationListener(database.url);
  bus = new SessionEventBus(listener);
  const sessions: Context["sessions"] = { ...inertSessionsContext, bus };
  const config = loadConfig({ PORT: "0", STUDIO_DATA_DIR: "/nonexistent", STUDIO_WEB_DIST: "/nonexistent" });
  const logger = createLogger("silent");
  studio = createStudioServer({
    config,
    db: database.db,
    pool: database.pool,
    logger,
    sessions,
    keyring: testKeysContext.keyring,
  });
  studioUrl = await studio.listen();
  // tRPC's own handler, as the studio served `sessions.events` before.
  const deps = {
    config,
    db: database.db,
    logger,
    publicUrl: studioUrl,
    origins: { hostAllowed: () => true, originAllowed: () => true },
    sessions,
    keys: testKeysContext,
  } as unknown as Parameters<typeof createRequestContext>[2];
  const handler = createHTTPHandler({
    router: appRouter,
    basePath: "/api/trpc/",
    createContext: ({ req, res }) => createRequestContext(req, res, deps),
  });
  bare = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
  bareUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}`;

  ({ token } = await signUpAccount(studioUrl));
  const owner = await database.db.membership.findFirstOrThrow({
    select: { userId: true, organizationId: true },
  });
  sessionId = newId();
  await database.db.studioSession.create({
    data: {
      id: sessionId,
      ...owner,
      environment: "development",
      status: "stopped",
      provider: "custom",
      model: "m",
      keySource: "platform",
      upstreamProvider: "custom",
      upstreamModel: "m",
      sandboxProvider: "local",
      idleTimeoutSeconds: 60,
    },
  });
  await appendEvents(database.db, sessionId, [
    { type: "agent_message_chunk", messageId: "m1", text: "Hello, <b>world</b> — ünïcode \u2028 ok" },
    { type: "usage", usedTokens: 12, contextSize: null },
    { type: "agent_message_chunk", messageId: "m1", text: " and more" },
  ]);
});

afterAll(async () => {
  bare?.closeAllConnections();
  bare?.close();
  await studio?.close();
  bus?.close();
  await listener?.close();
});

interface Read {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/** Reads an SSE response until `until` matches what arrived (or it ends), then closes it. */
function read(
  base: string,
  input: unknown,
  options: { headers?: Record<string, string>; until?: (body: string) => boolean; query?: string } = {},
): Promise<Read> {
  const encoded = input === undefined ? "" : `input=${encodeURIComponent(JSON.stringify(input))}`;
  const url = `${base}/api/trpc/sessions.events?${encoded}${options.query ?? ""}`;
  return new Promise((resolve, reject) => {
    const request = http.get(
      url,
      { headers: { accept: "text/event-stream", authorization: `Bearer ${token}`, ...options.headers } },
      (response) => {
        let body = "";
        const finish = () => {
          request.destroy();
          const pick = ["content-type", "cache-control", "x-accel-buffering", "vary", "connection"];
          resolve({
            status: response.statusCode!,
            headers: Object.fromEntries(
              pick.map((name) => [name, response.headers[name] as string | undefined]),
            ),
            body,
          });
        };
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
          if (options.until?.(body) || /event: (serialized-error|return)/.test(body)) finish();
        });
        response.on("end", finish);
      },
    );
    request.on("error", (error) => (request.destroyed ? undefined : reject(error)));
  });
}

const events = (count: number) => (body: string) => (body.match(/\nid: \d+\n\n\n/g) ?? []).length >= count;

async function same(input: unknown, options: Parameters<typeof read>[2] = {}) {
  const [fast, reference] = await Promise.all([
    read(studioUrl, input, options),
    read(bareUrl, input, options),
  ]);
  expect(fast).toEqual(reference);
  return fast;
}

describe("sessions.events, served by its own SSE writer", () => {
  it("replays the log with tRPC's bytes", async () => {
    const { body } = await same({ json: { sessionId } }, { until: events(3) });
    expect(body.startsWith('event: connected\ndata: {"reconnectAfterInactivityMs":25000}\n\n\n')).toBe(true);
    expect(body).toContain("\nid: 3\n");
    expect(body).toContain('"meta":{"values":{"at":["Date"]}');
  });

  it("resumes after Last-Event-ID (header, query, input) as tRPC does", async () => {
    const header = await same(
      { json: { sessionId } },
      { headers: { "last-event-id": "1" }, until: events(2) },
    );
    expect(header.body).not.toContain("\nid: 1\n");
    expect(header.body).toContain("\nid: 3\n");
    await same({ json: { sessionId } }, { query: "&lastEventId=2", until: events(1) });
    await same({ json: { sessionId, lastEventId: "2" } }, { until: events(1) });
  });

  it("refuses as tRPC does: an unknown session, bad input, no credentials", async () => {
    const missing = await same({ json: { sessionId: newId() } });
    expect(missing.body).toContain("serialized-error");
    await same({ json: { nothing: true } });
    await same(undefined);
    await same({ json: { sessionId } }, { headers: { authorization: "Bearer st_nope" } });
  });

  it("delivers live batches to every subscriber, the same bytes as tRPC", async () => {
    const input = { json: { sessionId, lastEventId: "3" } };
    const reads = [
      read(studioUrl, input, { until: events(3) }),
      read(studioUrl, input, { until: events(3) }),
      read(bareUrl, input, { until: events(3) }),
    ] as const;
    await new Promise((resolve) => setTimeout(resolve, 300)); // the subscriptions are open
    await appendEvents(database.db, sessionId, [
      { type: "agent_message_chunk", messageId: "m2", text: "live" },
      { type: "usage", usedTokens: 40, contextSize: 1000 },
    ]);
    await appendEvents(database.db, sessionId, [{ type: "agent_message_chunk", messageId: "m2", text: "!" }]);
    const [first, second, reference] = await Promise.all(reads);
    expect(first).toEqual(reference);
    expect(second).toEqual(reference);
    expect(reference.body).toContain("\nid: 6\n");
  });
});
