// Previews in subdomain mode (PREVIEW_DOMAIN), end to end: a real studio answering
// `<port>-<session>.<domain>` by its Host header, a real local sandbox and an app started in it.
// Entry goes through the studio's sign-in and membership check to a cookie of the preview host's
// own; the studio's session cookie never counts there, and a cookie for one preview opens no other.
import { writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { maySharePreviews, newId, newKeyring, sharePreview } from "@studio/core";
import { describe, expect, it, vi } from "vitest";
import {
  memberCookie,
  PREVIEW_APP,
  randomPort,
  sandboxHandle,
  startInSandbox,
  webSocketEcho,
} from "./previews-test-support.ts";
import { useLiveStudio } from "./testing/live-studio.ts";
import { lastSeq } from "./testing/session-events.ts";
import { signUpAccount } from "./testing/studio-process.ts";

const DOMAIN = "preview.test";
const live = useLiveStudio({ env: { PREVIEW_DOMAIN: DOMAIN } });

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request to the studio's port under another name, as wildcard DNS would send it. */
function requestAs(host: string, pathname: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${live.url}${pathname}`, { headers: { ...headers, host } }, (response) => {
      let body = "";
      response.on("data", (chunk) => {
        body += chunk;
      });
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
    request.on("error", reject);
    request.end();
  });
}

const cookieOf = (answer: Answer) => (answer.headers["set-cookie"]?.[0] ?? "").split(";")[0]!;

/** The preview app started in the session's sandbox, once the studio lists its port. */
async function previewedApp(sessionId: string) {
  const handle = await sandboxHandle(live.database.db, live.dataDir, sessionId);
  const appPort = randomPort();
  const row = await live.database.db.studioSession.findUniqueOrThrow({ where: { id: sessionId } });
  const workspace = path.join(live.dataDir, "sandboxes", row.sandboxId!, "workspace");
  writeFileSync(path.join(workspace, "app.cjs"), PREVIEW_APP);
  await startInSandbox(handle, "/usr/bin/node", ["app.cjs", String(appPort)]);

  const host = `${appPort}-${sessionId}.${DOMAIN}`;
  // The studio's scheme and port: wildcard DNS points the names at the studio itself.
  const origin = `http://${host}:${new URL(live.url).port}`;
  await vi.waitFor(
    async () => {
      const { ports } = await live.client.previews.ports.query({ sessionId });
      expect(ports).toContainEqual({ port: appPort, url: `${origin}/` });
    },
    { timeout: 20_000, interval: 250 },
  );
  return { appPort, host, origin };
}

// The tests take turns on one ready session (a sandbox start costs seconds of CPU); the one that
// stops it comes last.
describe("previews in subdomain mode", { timeout: 180_000 }, () => {
  it("opens a preview by a shared link for anyone holding it, only while the organisation shares previews", async () => {
    const { session, events } = await live.readySession();
    const mark = lastSeq(events.events);
    const { appPort, host, origin } = await previewedApp(session.id);
    const sessionId = session.id;

    // Off until an owner or admin turns it on.
    expect((await live.client.previews.ports.query({ sessionId })).shareable).toBe(false);
    await expect(live.client.previews.share.mutate({ sessionId, port: appPort })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    await live.client.organizations.update.mutate({ previewSharing: true });
    expect((await live.client.previews.ports.query({ sessionId })).shareable).toBe(true);

    // A member who neither made the session nor manages the organisation may not share it.
    const db = live.database.db;
    const { organizationId } = await db.studioSession.findUniqueOrThrow({ where: { id: sessionId } });
    const member = await db.user.create({
      data: { id: newId(), name: "Plain Member", email: `share.${newId()}@example.com`, passwordHash: "x" },
    });
    await db.membership.create({ data: { id: newId(), organizationId, userId: member.id, role: "member" } });
    const studio = { publicUrl: live.url, previewDomain: DOMAIN };
    const asMember = { userId: member.id, organizationId };
    expect(await maySharePreviews(db, studio, asMember, sessionId)).toBe(false);
    await expect(
      sharePreview(db, newKeyring(), studio, asMember, { sessionId, port: appPort, expiresInMinutes: 60 }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });

    const before = Date.now();
    const { url, expiresAt } = await live.client.previews.share.mutate({
      sessionId,
      port: appPort,
      expiresInMinutes: 60,
    });
    expect(expiresAt.getTime() - before).toBeGreaterThanOrEqual(59 * 60_000);
    expect(expiresAt.getTime() - before).toBeLessThanOrEqual(61 * 60_000);
    const link = new URL(url);
    expect(link.origin).toBe(origin);

    // Anyone with the link, no account: a cookie of the preview's own, as long as the link.
    const landed = await requestAs(host, `${link.pathname}${link.search}`);
    expect(landed.status).toBe(303);
    expect(landed.headers.location).toBe("/");
    const maxAge = Number(/Max-Age=(\d+)/.exec(landed.headers["set-cookie"]![0]!)![1]);
    expect(maxAge).toBeGreaterThan(58 * 60);
    expect(maxAge).toBeLessThanOrEqual(60 * 60);
    const sharedCookie = cookieOf(landed);
    const echoed = await requestAs(host, "/headers", { cookie: sharedCookie });
    expect(echoed.status).toBe(200);
    expect(JSON.parse(echoed.body).headers.cookie).toBeUndefined();
    expect(await webSocketEcho(`${live.url}/socket`, { host, cookie: sharedCookie, origin }, "hi")).toEqual({
      status: 101,
      reply: "echo:hi",
    });
    // One port's link opens that port only.
    const otherPort = `${appPort + 1}-${sessionId}.${DOMAIN}`;
    expect((await requestAs(otherPort, `${link.pathname}${link.search}`)).status).toBe(403);
    expect((await requestAs(otherPort, "/headers", { cookie: sharedCookie })).status).toBe(401);

    // The session's log says who shared what, and until when.
    const shared = await events.waitFor(
      "notice",
      (event) => event.seq > mark && event.code === "preview_shared",
    );
    expect(shared.message).toMatch(
      new RegExp(`shared a link to the preview of port ${appPort}, open until `),
    );

    // Turned off: the link and the cookie it gave stop at once.
    await live.client.organizations.update.mutate({ previewSharing: false });
    expect((await requestAs(host, "/headers", { cookie: sharedCookie })).status).toBe(403);
    expect((await requestAs(host, `${link.pathname}${link.search}`)).status).toBe(403);
  });

  it("admits members through the studio's sign-in to a cookie of the preview's own, and nobody else", async () => {
    const { session } = await live.readySession();
    const { appPort, host, origin } = await previewedApp(session.id);

    // The path-mode address sends the browser to the preview's own origin (never the studio's).
    const moved = await fetch(`${live.url}/preview/${session.id}/${appPort}/headers?x=1`, {
      redirect: "manual",
    });
    expect(moved.status).toBe(308);
    expect(moved.headers.get("location")).toBe(`${origin}/headers?x=1`);

    // A browser without the preview's cookie goes to the studio, which checks who it is.
    const first = await requestAs(host, "/headers?x=1", { accept: "text/html" });
    expect(first.status).toBe(303);
    const authorize = new URL(first.headers.location!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${live.url}/api/previews/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toEqual({
      session: session.id,
      port: String(appPort),
      next: "/headers?x=1",
    });
    // Not signed in at the studio: its sign-in, then back here.
    const signIn = await fetch(authorize, { redirect: "manual" });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get("location")).toBe(
      `/sign-in?${new URLSearchParams({ next: `${authorize.pathname}${authorize.search}` })}`,
    );

    // A member: a one-minute grant, which the preview host turns into its own cookie.
    const studioCookie = await memberCookie(live.url, live.database.db);
    const granted = await fetch(authorize, { headers: { cookie: studioCookie }, redirect: "manual" });
    expect(granted.status).toBe(303);
    const handoff = new URL(granted.headers.get("location")!);
    expect(handoff.origin).toBe(origin);
    const landed = await requestAs(host, `${handoff.pathname}${handoff.search}`);
    expect(landed.status).toBe(303);
    expect(landed.headers.location).toBe("/headers?x=1");
    const setCookie = landed.headers["set-cookie"]![0]!;
    expect(setCookie).toMatch(/^studio_preview=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=900$/);
    const previewCookie = cookieOf(landed);

    // The app at its own root, seeing neither the preview cookie nor the studio's.
    const echoed = await requestAs(host, "/headers?x=1", {
      cookie: `${previewCookie}; ${studioCookie}; app=1`,
    });
    expect(echoed.status).toBe(200);
    const seen = JSON.parse(echoed.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe("/headers?x=1");
    expect(seen.headers.cookie).toBe("app=1");
    expect(seen.headers["x-forwarded-prefix"]).toBeUndefined();
    expect(seen.headers["x-forwarded-host"]).toBe(host);
    // Every path is the app's: the studio's own routes are not served under a preview name.
    const health = await requestAs(host, "/api/health", { cookie: previewCookie });
    expect(health).toMatchObject({ status: 404, body: "app 404" });

    // WebSockets from the preview's own pages; not from another site's.
    const wsUrl = `${live.url}/socket`;
    expect(await webSocketEcho(wsUrl, { host, cookie: previewCookie, origin }, "hi")).toEqual({
      status: 101,
      reply: "echo:hi",
    });
    expect((await webSocketEcho(wsUrl, { host, cookie: previewCookie, origin: live.url }, "x")).status).toBe(
      403,
    );

    // What does not let anyone in: the studio's cookie, a forged or reused grant, another port's cookie.
    expect((await requestAs(host, "/headers", { cookie: studioCookie })).status).toBe(401);
    expect(
      (await requestAs(host, "/headers", { cookie: `studio_preview=${"x".repeat(40)}.${"y".repeat(43)}` }))
        .status,
    ).toBe(401);
    const forged = previewCookie.replace(/\.(.)/, (_, c: string) => `.${c === "A" ? "B" : "A"}`);
    expect((await requestAs(host, "/headers", { cookie: forged })).status).toBe(401);
    const handoffAsCookie = `studio_preview=${handoff.searchParams.get("grant")}`;
    expect((await requestAs(host, "/headers", { cookie: handoffAsCookie })).status).toBe(401);
    const otherPort = `${appPort + 1}-${session.id}.${DOMAIN}`;
    expect((await requestAs(otherPort, "/headers", { cookie: previewCookie })).status).toBe(401);
    // A grant for one preview is refused on another's host.
    expect((await requestAs(otherPort, `${handoff.pathname}${handoff.search}`)).status).toBe(403);

    // An API token works for programs, and is not passed on.
    const withToken = await requestAs(host, "/headers", { authorization: `Bearer ${live.token}` });
    expect(JSON.parse(withToken.body).headers.authorization).toBeUndefined();

    // Names under the domain that are no preview: 400, whatever the path.
    for (const bad of [
      `www.${DOMAIN}`,
      `0-${session.id}.${DOMAIN}`,
      `99999-${session.id}.${DOMAIN}`,
      `${appPort}-x_y.${DOMAIN}`,
    ]) {
      expect((await requestAs(bad, "/", { cookie: previewCookie })).status, bad).toBe(400);
    }

    // Another organisation's member gets no grant.
    const outsider = await signUpAccount(live.url);
    const outsiderCookie = await (async () => {
      const response = await fetch(`${live.url}/api/trpc/auth.signIn`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: live.url },
        body: JSON.stringify({ json: { email: outsider.email, password: "correct horse battery" } }),
      });
      return response.headers.getSetCookie()[0]!.split(";")[0]!;
    })();
    const refused = await fetch(authorize, { headers: { cookie: outsiderCookie }, redirect: "manual" });
    expect(refused.status).toBe(404);

    // The preview cookie stops working when the session stops: membership and state, each request.
    await live.client.sessions.stop.mutate({ sessionId: session.id });
    await vi.waitFor(
      async () => expect((await requestAs(host, "/headers", { cookie: previewCookie })).status).toBe(409),
      { timeout: 30_000, interval: 250 },
    );
  });
});
