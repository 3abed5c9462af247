// Terminals on a live session, end to end through the typed client: a real studio, a real local
// sandbox and sandbox-agent's PTYs. Who may open, type, watch; the record of each opening and
// closing; and no shell left once a terminal is closed or its session stops.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { probeBwrap } from "@studio/sandbox";
import { describe, expect, it, vi } from "vitest";
import { useLiveStudio } from "./testing/live-studio.ts";
import { processesUnder } from "./testing/processes.ts";
import { signUpAccount } from "./testing/studio-process.ts";
import { connectTerminal, terminalSocketUrl } from "./testing/terminal-client.ts";

// Path mode, so the agent's token can be tried on a preview without a subdomain to resolve.
const live = useLiveStudio({ env: { PREVIEW_DOMAIN: "" } });

// Terminals need a running sandbox, not a fresh agent, and each sandbox start (sandbox-agent and
// OpenCode) costs seconds of CPU: the tests share one ready session, made by whichever needs it
// first (`live.readySession`). Each opens terminals of its own and looks only at those (their
// events, shells, output); the last one stops the session, and anyone after it would get a new one.

/** The login shells running in a sandbox (a terminal's shell is `bash -l`). */
const shellsIn = (sandboxDir: string) =>
  processesUnder(sandboxDir).filter((p) => /\bbash -l\b/.test(p.cmdline));

async function sandboxDirOf(sessionId: string) {
  const row = await live.database.db.studioSession.findUniqueOrThrow({ where: { id: sessionId } });
  return path.join(live.dataDir, "sandboxes", row.sandboxId!);
}

/** Another account, made a plain member of the first account's organisation. */
async function plainMember() {
  const account = await signUpAccount(live.url);
  const user = await live.database.db.user.findUniqueOrThrow({ where: { email: account.email } });
  const { organizationId } = await live.database.db.membership.findFirstOrThrow({
    where: { role: "owner", userId: { not: user.id } },
    orderBy: { createdAt: "asc" },
  });
  await live.database.db.membership.create({
    data: { id: randomUUID(), organizationId, userId: user.id, role: "member" },
  });
  // Its API token acts in that organisation.
  await live.database.db.apiToken.updateMany({ where: { userId: user.id }, data: { organizationId } });
  return { ...account, organizationId };
}

describe("terminals", { timeout: 180_000 }, () => {
  it("opens a shell in the sandbox, renames and closes it, each step in the session's log", async () => {
    const { session, events } = await live.readySession();
    const sandboxDir = await sandboxDirOf(session.id);
    // Shells of other tests' terminals are theirs: this test counts only the ones that start now.
    const earlierShells = new Set(shellsIn(sandboxDir).map((p) => p.pid));
    const newShells = () => shellsIn(sandboxDir).filter((p) => !earlierShells.has(p.pid));
    // Unnamed, a terminal is "Terminal <n>", n counting every terminal the session has opened.
    const earlier = await live.database.db.sessionTerminal.count({ where: { sessionId: session.id } });
    const defaultName = `Terminal ${earlier + 1}`;

    const opened = await live.client.terminals.open.mutate({
      sessionId: session.id,
      size: { cols: 100, rows: 30 },
    });
    expect(opened.name).toBe(defaultName);
    expect(opened.openedBy?.name).toBe("Runner Test");
    await vi.waitFor(() => expect(newShells()).toHaveLength(1));
    const openedEvent = await events.waitFor("terminal_opened", (e) => e.terminalId === opened.id);
    expect(openedEvent).toMatchObject({ terminalId: opened.id, name: defaultName });
    expect(openedEvent.openedBy?.name).toBe("Runner Test");

    const second = await live.client.terminals.open.mutate({ sessionId: session.id, name: "Tests" });
    await live.client.terminals.rename.mutate({ sessionId: session.id, terminalId: opened.id, name: "Logs" });
    expect(await events.waitFor("terminal_renamed", (e) => e.terminalId === opened.id)).toMatchObject({
      name: "Logs",
    });
    const listed = await live.client.terminals.list.query({ sessionId: session.id });
    expect(listed.canType).toBe(true);
    const mine = [opened.id, second.id];
    expect(listed.terminals.filter((t) => mine.includes(t.id)).map((t) => t.name)).toEqual(["Logs", "Tests"]);

    await live.client.terminals.close.mutate({ sessionId: session.id, terminalId: opened.id });
    const closed = await events.waitFor("terminal_closed", (e) => e.terminalId === opened.id);
    expect(closed).toMatchObject({ reason: "Closed" });
    expect(closed.closedBy?.name).toBe("Runner Test");
    await vi.waitFor(() => expect(newShells()).toHaveLength(1));
    await expect(
      live.client.terminals.close.mutate({ sessionId: session.id, terminalId: opened.id }),
    ).rejects.toMatchObject({ data: { code: "CONFLICT" }, message: "The terminal is closed." });
    // The second terminal stays open: what a session's stop does to it is the last test's.
  });

  it("lets only the creator, owners and admins type; others watch when allowed; other organisations see nothing", async () => {
    const { session } = await live.readySession();
    const opened = await live.client.terminals.open.mutate({ sessionId: session.id });
    const member = await plainMember();
    // The organisation is the file's: whatever another test left, members may not watch yet.
    await live.database.db.organization.update({
      where: { id: member.organizationId },
      data: { terminalWatching: false },
    });

    // A plain member who did not start the session: no terminals of their own, nothing to watch yet.
    await expect(member.client.terminals.open.mutate({ sessionId: session.id })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    await expect(member.client.terminals.list.query({ sessionId: session.id })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    await expect(
      member.client.terminals.close.mutate({ sessionId: session.id, terminalId: opened.id }),
    ).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    // The organisation lets members watch: they see the terminal, and that they may not type.
    await live.database.db.organization.update({
      where: { id: member.organizationId },
      data: { terminalWatching: true },
    });
    // Exactly the terminals the owner sees, this one among them (the others are other tests').
    const watched = await member.client.terminals.list.query({ sessionId: session.id });
    const all = (await live.client.terminals.list.query({ sessionId: session.id })).terminals;
    expect(all.map((t) => t.id)).toContain(opened.id);
    expect(watched).toMatchObject({ canType: false, terminals: all.map(({ id }) => ({ id })) });
    await expect(
      member.client.terminals.rename.mutate({ sessionId: session.id, terminalId: opened.id, name: "Mine" }),
    ).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });

    // Someone of another organisation: the session does not exist for them.
    const stranger = await signUpAccount(live.url);
    await expect(stranger.client.terminals.list.query({ sessionId: session.id })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });
    await expect(stranger.client.terminals.open.mutate({ sessionId: session.id })).rejects.toMatchObject({
      data: { code: "NOT_FOUND" },
    });

    // Bad input: a clear answer, nothing opened.
    const openBefore = (await live.client.terminals.list.query({ sessionId: session.id })).terminals.length;
    await expect(
      live.client.terminals.open.mutate({ sessionId: session.id, name: "bad\u0007name" }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(
      live.client.terminals.open.mutate({ sessionId: session.id, size: { cols: 1, rows: 24 } }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    expect((await live.client.terminals.list.query({ sessionId: session.id })).terminals).toHaveLength(
      openBefore,
    );
  });
});

/** A browser's session cookie for the live studio's account, by signing in as a browser does. */
async function browserCookie(email: string) {
  const response = await fetch(`${live.url}/api/trpc/auth.signIn`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: live.url },
    body: JSON.stringify({ json: { email, password: "correct horse battery" } }),
  });
  return response.headers.getSetCookie()[0]!.split(";")[0]!;
}

describe("the terminal socket", { timeout: 180_000 }, () => {
  it("relays typing, resizing and output; a reconnect shows what came before; exit closes it", async () => {
    const { session, events } = await live.readySession();
    const terminal = await live.client.terminals.open.mutate({ sessionId: session.id });
    const url = terminalSocketUrl(live.url, session.id, terminal.id);
    const auth = { authorization: `Bearer ${live.token}` };

    const first = await connectTerminal(url, auth);
    expect(await first.waitForControl("ready")).toMatchObject({ canType: true });
    const activityOf = async () =>
      (await live.database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } })).lastActivityAt!;
    const before = await activityOf();
    // The prompt names folders in the workspace, not where the sandbox lives on the host.
    await first.waitForOutput("workspace$ ");
    first.type("mkdir -p src && cd src\r");
    await first.waitForOutput("workspace/src$ ");
    first.type("echo hi-$((6*7))\r");
    await first.waitForOutput("hi-42");
    // Nor does anything the shell tells: its folder, its home, its environment.
    first.type('echo "at:$PWD home:$HOME"; env\r');
    await first.waitForOutput(`at:${await live.agentWorkspaceOf(session.id)}/src home:`);
    await first.waitForOutput("STUDIO_SANDBOX_ID=");
    // Unconfined (no bwrap on the machine) a sandbox has only the host's paths to show.
    if (probeBwrap().layout) expect(first.output()).not.toContain(live.dataDir);
    // Typing is activity: the idle stop counts from it.
    await vi.waitFor(async () => expect((await activityOf()).getTime()).toBeGreaterThan(before.getTime()));
    first.resize(91, 27);
    first.type("stty size\r");
    await first.waitForOutput("27 91");
    first.close();
    await first.closed;

    // The terminal ran on without a screen; a new one is shown what it missed, then goes on live.
    const second = await connectTerminal(url, auth);
    await second.waitForControl("ready");
    await second.waitForOutput("hi-42");
    second.type("echo again-$((1+1))\r");
    await second.waitForOutput("again-2");

    // The shell ending ends the terminal: the socket says so, the log too.
    second.type("exit\r");
    expect(await second.waitForControl("exit")).toMatchObject({ exitCode: 0 });
    await second.closed;
    const closed = await events.waitFor("terminal_closed", (e) => e.terminalId === terminal.id, 30_000);
    expect(closed).toMatchObject({ closedBy: null, reason: "The shell exited" });
    await expect(connectTerminal(url, auth)).rejects.toMatchObject({ status: 409 });

    // Closed by a person while a screen watches: the log says who closed it, not that its shell
    // exited (the bridge sees the exit too, and used to win the race to say so).
    const watched = await live.client.terminals.open.mutate({ sessionId: session.id, name: "Watched" });
    const screen = await connectTerminal(terminalSocketUrl(live.url, session.id, watched.id), auth);
    await screen.waitForOutput("workspace$ ");
    await live.client.terminals.close.mutate({ sessionId: session.id, terminalId: watched.id });
    await screen.closed;
    const closedByPerson = await events.waitFor("terminal_closed", (e) => e.terminalId === watched.id);
    expect(closedByPerson).toMatchObject({ reason: "Closed", closedBy: { name: "Runner Test" } });
    const logged = await live.database.db.sessionEvent.findMany({
      where: { sessionId: session.id, type: "terminal_closed" },
      select: { payload: true },
    });
    expect(
      logged.filter((e) => (e.payload as { terminalId?: string }).terminalId === watched.id),
    ).toHaveLength(1);
  });

  it("opens for the studio's own pages and members only, and lets a watcher only watch", async () => {
    const { session } = await live.readySession();
    const terminal = await live.client.terminals.open.mutate({ sessionId: session.id });
    const url = terminalSocketUrl(live.url, session.id, terminal.id);
    const account = await live.database.db.user.findFirstOrThrow({
      where: { name: "Runner Test", memberships: { some: { role: "owner" } } },
      orderBy: { createdAt: "asc" },
    });
    const cookie = await browserCookie(account.email);

    // A browser on the studio's page: in. The same cookie sent from another site's page: refused.
    const own = await connectTerminal(url, { cookie, origin: live.url });
    expect(await own.waitForControl("ready")).toMatchObject({ canType: true });
    own.close();
    await expect(connectTerminal(url, { cookie, origin: "https://evil.example" })).rejects.toMatchObject({
      status: 403,
    });
    await expect(connectTerminal(url, {})).rejects.toMatchObject({ status: 401 });
    await expect(
      connectTerminal(terminalSocketUrl(live.url, session.id, "no-such-terminal"), {
        authorization: `Bearer ${live.token}`,
      }),
    ).rejects.toMatchObject({ status: 404 });

    // The agent in the sandbox holds the session's gateway token: it opens neither the terminal
    // socket nor a preview.
    const sandboxDir = await sandboxDirOf(session.id);
    const agentToken = processesUnder(sandboxDir)
      .flatMap((p) => p.environ.split("\0"))
      .find((entry) => entry.startsWith("STUDIO_GATEWAY_TOKEN="))
      ?.slice("STUDIO_GATEWAY_TOKEN=".length);
    expect(agentToken).toBeTruthy();
    await expect(connectTerminal(url, { authorization: `Bearer ${agentToken}` })).rejects.toMatchObject({
      status: 401,
    });
    const preview = await fetch(`${live.url}/preview/${session.id}/8000/`, {
      headers: { authorization: `Bearer ${agentToken}` },
      redirect: "manual",
    });
    expect(preview.status).toBe(401);

    // Another organisation: the session does not exist for it.
    const stranger = await signUpAccount(live.url);
    await expect(connectTerminal(url, { authorization: `Bearer ${stranger.token}` })).rejects.toMatchObject({
      status: 404,
    });

    // A plain member of this organisation: refused until it lets members watch; then output only.
    const member = await plainMember();
    const memberAuth = { authorization: `Bearer ${member.token}` };
    await live.database.db.organization.update({
      where: { id: member.organizationId },
      data: { terminalWatching: false },
    });
    await expect(connectTerminal(url, memberAuth)).rejects.toMatchObject({ status: 403 });
    await live.database.db.organization.update({
      where: { id: member.organizationId },
      data: { terminalWatching: true },
    });
    const typist = await connectTerminal(url, { authorization: `Bearer ${live.token}` });
    await typist.waitForControl("ready");
    const watcher = await connectTerminal(url, memberAuth);
    expect(await watcher.waitForControl("ready")).toMatchObject({ canType: false });
    watcher.type("touch watcher-was-here\r");
    expect(await watcher.waitForControl("error")).toMatchObject({
      message: "You can watch this terminal, not type in it.",
    });
    typist.type("echo typed-$((2*3))\r");
    await watcher.waitForOutput("typed-6");
    expect(watcher.output()).not.toContain("watcher-was-here");

    // A frame larger than any paste closes that socket only; the studio goes on.
    const flood = await connectTerminal(url, { authorization: `Bearer ${live.token}` });
    await flood.waitForControl("ready");
    flood.type("x".repeat(300_000));
    expect(await flood.closed).toBe(1009);
    expect((await fetch(`${live.url}/api/health`)).status).toBe(200);
    typist.close();
    watcher.close();
    await Promise.all([typist.closed, watcher.closed]);
  });
});

describe("a session's stop", { timeout: 180_000 }, () => {
  it("ends every terminal still open, its shell and its sockets, and opens no more", async () => {
    // Last in the file: it ends the shared session (a test after it would start another).
    const { session, events } = await live.readySession();
    const sandboxDir = await sandboxDirOf(session.id);
    const terminal = await live.client.terminals.open.mutate({ sessionId: session.id, name: "Left open" });
    await live.client.terminals.open.mutate({ sessionId: session.id, name: "Also open" });
    const url = terminalSocketUrl(live.url, session.id, terminal.id);
    const auth = { authorization: `Bearer ${live.token}` };
    const screens = [await connectTerminal(url, auth), await connectTerminal(url, auth)];
    for (const screen of screens) await screen.waitForControl("ready");
    // Every terminal open now (this test's two, and any an earlier test left open).
    const open = (await live.client.terminals.list.query({ sessionId: session.id })).terminals;
    expect(open.length).toBeGreaterThanOrEqual(2);

    // Each ends, and its log says so; the sockets close; nothing runs in the sandbox any more.
    await live.client.sessions.stop.mutate({ sessionId: session.id });
    for (const { id } of open) {
      const ended = await events.waitFor("terminal_closed", (e) => e.terminalId === id, 30_000);
      expect(ended).toMatchObject({ closedBy: null, reason: "The session stopped" });
    }
    await Promise.all(screens.map((screen) => screen.closed));
    await vi.waitFor(() => expect(processesUnder(sandboxDir)).toEqual([]), { timeout: 20_000 });
    await expect(live.client.terminals.open.mutate({ sessionId: session.id })).rejects.toMatchObject({
      data: { code: "CONFLICT" },
      message: "The session is stopped. Resume it to use a terminal.",
    });
    expect(await live.client.terminals.list.query({ sessionId: session.id })).toMatchObject({
      terminals: [],
    });
    events.stop();
  });
});
