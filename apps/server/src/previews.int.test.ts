// Previews through the studio's proxy in path mode, end to end: a real studio, a real local
// sandbox with the real sandbox-agent, and servers started in it through sandbox-agent's process
// API (as an agent's tools start them). HTTP, streaming and WebSocket pass; the studio's
// credentials never reach the app; non-members, other ports on the machine, malformed paths and a
// stopped session get clear answers.
import { writeFileSync } from "node:fs";
import type net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  hostService,
  memberCookie,
  PREVIEW_APP,
  randomPort,
  sandboxHandle,
  startInSandbox,
  webSocketEcho,
} from "./previews-test-support.ts";
import { useLiveStudio } from "./testing/live-studio.ts";
import { signUpAccount } from "./testing/studio-process.ts";

const live = useLiveStudio({ env: { PREVIEW_DOMAIN: "" } });
const hostServers: net.Server[] = [];

afterAll(async () => {
  for (const server of hostServers) await new Promise((resolve) => server.close(resolve));
});

describe("previews in path mode", { timeout: 180_000 }, () => {
  it("lists the sandbox's ports and proxies HTTP, streams and WebSockets to them, and only them", async () => {
    const { session } = await live.startSession();
    const handle = await sandboxHandle(live.database.db, live.dataDir, session.id);
    const appPort = randomPort();
    const filesPort = appPort + 1;
    writeFileSync(path.join(await live.workspaceOf(session.id), "app.cjs"), PREVIEW_APP);
    writeFileSync(path.join(await live.workspaceOf(session.id), "hello.txt"), "hello from the sandbox\n");
    await startInSandbox(handle, "/usr/bin/node", ["app.cjs", String(appPort)]);
    await startInSandbox(handle, "/usr/bin/python3", [
      "-m",
      "http.server",
      String(filesPort),
      "--bind",
      "127.0.0.1",
    ]);

    const bearer = { authorization: `Bearer ${live.token}` };
    const base = `${live.url}/preview/${session.id}`;
    await vi.waitFor(
      async () => {
        const { ports } = await live.client.previews.ports.query({ sessionId: session.id });
        expect(ports).toEqual(
          expect.arrayContaining([
            { port: appPort, url: `${live.url}/preview/${session.id}/${appPort}/` },
            { port: filesPort, url: `${live.url}/preview/${session.id}/${filesPort}/` },
          ]),
        );
      },
      { timeout: 20_000, interval: 250 },
    );

    // A static file from python's server.
    const file = await fetch(`${base}/${filesPort}/hello.txt`, { headers: bearer });
    expect(file.status).toBe(200);
    expect(await file.text()).toBe("hello from the sandbox\n");

    // The app sees its own paths, the prefix it is mounted under, and none of the studio's credentials.
    const cookie = await memberCookie(live.url, live.database.db);
    const echoed = await fetch(`${base}/${appPort}/headers`, { headers: { cookie: `${cookie}; app=1` } });
    expect(echoed.status).toBe(200);
    const { url, headers } = (await echoed.json()) as { url: string; headers: Record<string, string> };
    expect(url).toBe("/headers");
    expect(headers["x-forwarded-prefix"]).toBe(`/preview/${session.id}/${appPort}`);
    expect(headers.cookie).toBe("app=1");
    expect(headers.authorization).toBeUndefined();
    const withToken = await fetch(`${base}/${appPort}/headers`, { headers: bearer });
    expect(
      ((await withToken.json()) as { headers: Record<string, string> }).headers.authorization,
    ).toBeUndefined();

    // Its redirects stay under the prefix; it cannot plant the studio's session cookie.
    const redirect = await fetch(`${base}/${appPort}/go`, { headers: bearer, redirect: "manual" });
    expect(redirect.headers.get("location")).toBe(`/preview/${session.id}/${appPort}/headers`);
    const cookies = await fetch(`${base}/${appPort}/cookies`, { headers: bearer });
    expect(cookies.headers.getSetCookie()).toEqual(["app=1; Path=/"]);
    // Nor take over or wipe the studio's origin, which path mode shares.
    expect(cookies.headers.get("service-worker-allowed")).toBeNull();
    expect(cookies.headers.get("clear-site-data")).toBeNull();

    // Connections to the app are kept between requests...
    type Connection = { port: number; request: number };
    const connection = async (route: string, init: RequestInit = {}) => {
      const answer = await fetch(`${base}/${appPort}/${route}`, { ...init, headers: bearer });
      return {
        status: answer.status,
        body: answer.status === 200 ? ((await answer.json()) as Connection) : null,
      };
    };
    const kept = await connection("connection");
    const again = await connection("connection");
    expect(again.body).toEqual({ port: kept.body!.port, request: kept.body!.request + 1 });
    // ...and a request without a body that meets one the app drops is sent again on a new one.
    const retried = await connection("flaky");
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ request: 1 });
    expect(retried.body!.port).not.toBe(kept.body!.port);
    // One with a body is not sent twice: the app may have acted on it.
    await connection("connection");
    expect(await connection("flaky", { method: "POST", body: "once" })).toEqual({ status: 502, body: null });

    // A stream that never ends delivers its first event at once.
    const controller = new AbortController();
    const events = await fetch(`${base}/${appPort}/events`, { headers: bearer, signal: controller.signal });
    expect(events.headers.get("content-type")).toBe("text/event-stream");
    const first = await events.body!.getReader().read();
    expect(Buffer.from(first.value!).toString()).toBe("data: first\n\n");
    controller.abort();

    // WebSockets, with a browser's cookie from the preview's own origin, or a token.
    const wsUrl = `${base}/${appPort}/socket`;
    expect(await webSocketEcho(wsUrl, { cookie, origin: live.url }, "hi")).toEqual({
      status: 101,
      reply: "echo:hi",
    });
    expect(await webSocketEcho(wsUrl, bearer, "yo")).toEqual({ status: 101, reply: "echo:yo" });
    // A cookie sent by another site's page does not open it.
    expect((await webSocketEcho(wsUrl, { cookie, origin: "https://evil.example" }, "x")).status).toBe(403);

    // Another session's sandbox serves a port of its own: reachable through that session only.
    const { session: other } = await live.startSession();
    const otherPort = filesPort + 2;
    writeFileSync(path.join(await live.workspaceOf(other.id), "hello.txt"), "the other sandbox\n");
    await startInSandbox(await sandboxHandle(live.database.db, live.dataDir, other.id), "/usr/bin/python3", [
      "-m",
      "http.server",
      String(otherPort),
      "--bind",
      "127.0.0.1",
    ]);
    await vi.waitFor(
      async () => {
        const own = await fetch(`${live.url}/preview/${other.id}/${otherPort}/hello.txt`, {
          headers: bearer,
        });
        expect(await own.text()).toBe("the other sandbox\n");
      },
      { timeout: 20_000, interval: 250 },
    );
    const otherAgentPort = Number(
      new URL((await sandboxHandle(live.database.db, live.dataDir, other.id)).agentUrl).port,
    );

    // The studio itself, its PostgreSQL, a host service, the other sandbox's server and its
    // sandbox-agent, and ports nothing listens on: refused.
    const studioPort = Number(new URL(live.url).port);
    const databasePort = Number(new URL(live.database.url).port);
    const refusedPorts = [studioPort, databasePort, await hostService(hostServers), otherPort, filesPort + 1];
    if (otherAgentPort) refusedPorts.push(otherAgentPort);
    for (const port of refusedPorts) {
      const refused = await fetch(`${base}/${port}/`, { headers: bearer });
      expect(refused.status, `port ${port}`).toBe(404);
      expect(await refused.json()).toEqual({
        error: `Nothing in the session's sandbox listens on port ${port}.`,
      });
      expect((await webSocketEcho(`${base}/${port}/`, bearer, "x")).status, `port ${port}`).toBe(404);
    }
    await expect(live.client.previews.ports.query({ sessionId: session.id })).resolves.toMatchObject({
      ports: expect.not.arrayContaining([expect.objectContaining({ port: studioPort })]),
    });

    // Malformed paths: 400, never a hang.
    for (const bad of [
      `/preview/${session.id}`,
      `/preview/${session.id}/0/`,
      `/preview/${session.id}/99999/`,
      "/preview/NOT-AN-ID/80/",
      `/preview/${session.id}/abc/`,
    ]) {
      const answer = await fetch(`${live.url}${bad}`, { headers: bearer });
      expect(answer.status, bad).toBe(400);
    }
    // Without the trailing slash, the app's relative links would miss the prefix.
    const bare = await fetch(`${base}/${filesPort}`, { headers: bearer, redirect: "manual" });
    expect(bare.status).toBe(308);
    expect(bare.headers.get("location")).toBe(`/preview/${session.id}/${filesPort}/`);

    // Nobody signed in: a browser goes to sign in and comes back; a program is told 401.
    const anonymous = await fetch(`${base}/${filesPort}/hello.txt?x=1`, {
      headers: { accept: "text/html" },
      redirect: "manual",
    });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe(
      `/sign-in?${new URLSearchParams({ next: `/preview/${session.id}/${filesPort}/hello.txt?x=1` })}`,
    );
    expect((await fetch(`${base}/${filesPort}/hello.txt`)).status).toBe(401);

    // Another organisation's member: the session does not exist for them.
    const outsider = await signUpAccount(live.url);
    const outside = { authorization: `Bearer ${outsider.token}` };
    const refused = await fetch(`${base}/${filesPort}/hello.txt`, { headers: outside });
    expect(refused.status).toBe(404);
    expect(await refused.json()).toEqual({ error: "Session not found." });
    expect((await webSocketEcho(wsUrl, outside, "x")).status).toBe(404);
    await expect(outsider.client.previews.ports.query({ sessionId: session.id })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });

    // On the studio's own origin a shared app would act as whoever opened it: no shared links.
    await live.client.organizations.update.mutate({ previewSharing: true });
    expect((await live.client.previews.ports.query({ sessionId: session.id })).shareable).toBe(false);
    await expect(
      live.client.previews.share.mutate({ sessionId: session.id, port: appPort }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/PREVIEW_DOMAIN/), data: { code: "CONFLICT" } });

    // A stopped session: a clear 409 (HTML for a browser), no hang.
    await live.client.sessions.stop.mutate({ sessionId: session.id });
    await vi.waitFor(
      async () =>
        expect((await fetch(`${base}/${filesPort}/hello.txt`, { headers: bearer })).status).toBe(409),
      { timeout: 30_000, interval: 250 },
    );
    // Once the brief access cache has lapsed, core's own answer.
    await vi.waitFor(
      async () => {
        const stopped = await fetch(`${base}/${filesPort}/`, { headers: { ...bearer, accept: "text/html" } });
        expect(stopped.status).toBe(409);
        expect(stopped.headers.get("content-type")).toMatch(/^text\/html/);
        expect(await stopped.text()).toContain("The session is stopped. Resume it to open its previews.");
      },
      { timeout: 15_000, interval: 500 },
    );
    await expect(live.client.previews.ports.query({ sessionId: session.id })).rejects.toMatchObject({
      data: { code: "CONFLICT" },
      message: "The session is stopped. Resume it to open its previews.",
    });
  });
});
