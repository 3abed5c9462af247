// Live sessions over their lifetime, end to end as in sessions.int.test.ts: idle stop and
// keepalive, stop and resume, stop during provisioning, and an agent that dies.
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { useLiveStudio } from "./testing/live-studio.ts";
import { processesUnder } from "./testing/processes.ts";
import { collectEvents, sequenceProblems } from "./testing/session-events.ts";

const live = useLiveStudio();

describe("lifecycle", { timeout: 180_000 }, () => {
  it("stops itself when idle, and keepalive holds it", async () => {
    const { session, events } = await live.startSession();
    await live.database.db.studioSession.update({
      where: { id: session.id },
      data: { idleTimeoutSeconds: 4 },
    });
    const keepalives = setInterval(
      () => void live.client.sessions.keepalive.mutate({ sessionId: session.id }),
      1000,
    );
    await new Promise((resolve) => setTimeout(resolve, 7000));
    expect((await live.client.sessions.get.query({ sessionId: session.id })).status).toBe("ready");
    clearInterval(keepalives);
    const ended = await events.waitFor("session_ended", undefined, 30_000);
    expect(ended.reason).toMatch(/without activity/);
    expect((await live.client.sessions.get.query({ sessionId: session.id })).status).toBe("stopped");
    events.stop();
  });

  it("stop leaves no sandbox process behind; resume continues the conversation", async () => {
    const { session, events } = await live.startSession();
    live.upstream.enqueue([{ text: "Remember the word PINEAPPLE." }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "remember a word" });
    await events.waitFor("turn_ended");
    const row = await live.database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } });
    const sandboxDir = path.join(live.dataDir, "sandboxes", row.sandboxId!);
    expect(processesUnder(sandboxDir).length).toBeGreaterThan(0);

    await live.client.sessions.stop.mutate({ sessionId: session.id });
    await events.waitFor("session_ended");
    await vi.waitFor(() => expect(processesUnder(sandboxDir)).toEqual([]), { timeout: 20_000 });
    await expect(
      live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "hello?" }),
    ).rejects.toMatchObject({
      data: { code: "CONFLICT" },
      message: "The session is stopped. Resume it to continue.",
    });

    const before = events.events.length;
    await live.client.sessions.resume.mutate({ sessionId: session.id });
    await events.waitFor(
      "status_changed",
      (event) => event.to === "ready" && event.seq > events.events[before - 1]!.seq,
      90_000,
    );
    live.upstream.enqueue([{ text: "The word was PINEAPPLE." }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "what was the word?" });
    await events.waitFor("turn_ended", (event) => event.seq > events.events[before - 1]!.seq);
    const last = live.upstream.requests.filter((request) => !request.isTitle).at(-1)!;
    expect(JSON.stringify(last.body)).toContain("Remember the word PINEAPPLE.");
    // The history replayed by session/load was not stored a second time.
    expect(
      events.events.filter((e) => e.type === "user_message").map((e) => (e as { text: string }).text),
    ).toEqual(["remember a word", "what was the word?"]);
    expect(sequenceProblems(events.events)).toBeNull();
    events.stop();
  });

  it("stopped while provisioning, it leaves no sandbox behind and stays stopped", async () => {
    const session = await live.client.sessions.create.mutate({
      environment: "development",
      provider: "custom",
      model: "scripted-1",
    });
    const events = collectEvents(live.client, session.id);
    // sandbox-agent is starting: the sandbox exists, the session does not know it yet.
    await events.waitFor(
      "provisioning",
      (event) => event.step === "sandbox.agent-server" && event.state === "started",
      90_000,
    );
    await live.client.sessions.stop.mutate({ sessionId: session.id });
    await events.waitFor("status_changed", (event) => event.to === "stopped");
    const [sandboxDir, ...others] = live.sandboxDirsOf(session.id);
    expect(sandboxDir).toBeDefined();
    expect(others).toEqual([]);
    await vi.waitFor(() => expect(processesUnder(sandboxDir!)).toEqual([]), { timeout: 20_000 });
    // Whatever the interrupted provisioning was doing has ended: nothing revives or fails it later.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(processesUnder(sandboxDir!)).toEqual([]);
    expect((await live.client.sessions.get.query({ sessionId: session.id })).status).toBe("stopped");
    expect(events.events.filter((event) => event.type === "status_changed").at(-1)).toMatchObject({
      to: "stopped",
    });
    events.stop();
  });

  it("restarts the agent once when its process dies, and reloads the conversation", async () => {
    const { session, events } = await live.startSession();
    live.upstream.enqueue([{ text: "Before the crash." }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "hello" });
    await events.waitFor("turn_ended");
    const row = await live.database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } });
    // The agent (`opencode acp`), not the sandbox-agent server that spawned it.
    const agents = processesUnder(path.join(live.dataDir, "sandboxes", row.sandboxId!)).filter(
      (p) => /opencode\S* acp/.test(p.cmdline) && !p.cmdline.includes("sandbox-agent server"),
    );
    expect(agents.length).toBeGreaterThan(0);
    for (const agent of agents) process.kill(agent.pid, "SIGKILL");
    const notice = await events.waitFor("notice", (event) => event.code === "agent_restarted", 60_000);
    expect(notice.level).toBe("warning");
    live.upstream.enqueue([{ text: "After the crash." }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "still there?" });
    await events.waitFor("turn_ended", (event) => event.seq > notice.seq);
    const last = live.upstream.requests.filter((request) => !request.isTitle).at(-1)!;
    expect(JSON.stringify(last.body)).toContain("Before the crash.");
    expect((await live.client.sessions.get.query({ sessionId: session.id })).status).toBe("idle");
    events.stop();
  });
});
