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
    const { session, events } = await live.startSession();
    const sandboxDir = await sandboxDirOf(session.id);
    expect(shellsIn(sandboxDir)).toEqual([]);

    const opened = await live.client.terminals.open.mutate({
      sessionId: session.id,
      size: { cols: 100, rows: 30 },
    });
    expect(opened.name).toBe("Terminal 1");
    expect(opened.openedBy?.name).toBe("Runner Test");
    await vi.waitFor(() => expect(shellsIn(sandboxDir)).toHaveLength(1));
    const openedEvent = await events.waitFor("terminal_opened");
    expect(openedEvent).toMatchObject({ terminalId: opened.id, name: "Terminal 1" });
    expect(openedEvent.openedBy?.name).toBe("Runner Test");

    const second = await live.client.terminals.open.mutate({ sessionId: session.id, name: "Tests" });
    await live.client.terminals.rename.mutate({ sessionId: session.id, terminalId: opened.id, name: "Logs" });
    expect(await events.waitFor("terminal_renamed")).toMatchObject({ terminalId: opened.id, name: "Logs" });
    const listed = await live.client.terminals.list.query({ sessionId: session.id });
    expect(listed.canType).toBe(true);
    expect(listed.terminals.map((t) => t.name)).toEqual(["Logs", "Tests"]);

    await live.client.terminals.close.mutate({ sessionId: session.id, terminalId: opened.id });
    const closed = await events.waitFor("terminal_closed");
    expect(closed).toMatchObject({ terminalId: opened.id, reason: "Closed" });
    expect(closed.closedBy?.name).toBe("Runner Test");
    await vi.waitFor(() => expect(shellsIn(sandboxDir)).toHaveLength(1));
    await expect(
      live.client.terminals.close.mutate({ sessionId: session.id, terminalId: opened.id }),
    ).rejects.toMatchObject({ data: { code: "CONFLICT" }, message: "The terminal is closed." });

    // Stopping the session ends the terminal still open, and says so.
    await live.client.sessions.stop.mutate({ sessionId: session.id });
    const ended = await events.waitFor("terminal_closed", (e) => e.terminalId === second.id, 30_000);
    expect(ended).toMatchObject({ closedBy: null, reason: "The session stopped" });
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

  it("lets only the creator, owners and admins type; others watch when allowed; other organisations see nothing", async () => {
    const { session, events } = await live.startSession();
    const opened = await live.client.terminals.open.mutate({ sessionId: session.id });
    const member = await plainMember();

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
    const watched = await member.client.terminals.list.query({ sessionId: session.id });
    expect(watched).toMatchObject({ canType: false, terminals: [{ id: opened.id }] });
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
    await expect(
      live.client.terminals.open.mutate({ sessionId: session.id, name: "bad\u0007name" }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(
      live.client.terminals.open.mutate({ sessionId: session.id, size: { cols: 1, rows: 24 } }),
    ).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    expect((await live.client.terminals.list.query({ sessionId: session.id })).terminals).toHaveLength(1);
    await live.client.sessions.stop.mutate({ sessionId: session.id });
    events.stop();
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
    const { session, events } = await live.startSession();
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
    const closed = await events.waitFor("terminal_closed", undefined, 30_000);
    expect(closed).toMatchObject({ terminalId: terminal.id, closedBy: null, reason: "The shell exited" });
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
    await live.client.sessions.stop.mutate({ sessionId: session.id });
    events.stop();
  });

  it("opens for the studio's own pages and members only, and lets a watcher only watch", async () => {
    const { session, events } = await live.startSession();
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

    // Stopping the session ends every terminal socket.
    await live.client.sessions.stop.mutate({ sessionId: session.id });
    await Promise.all([typist.closed, watcher.closed]);
    events.stop();
  });
});
