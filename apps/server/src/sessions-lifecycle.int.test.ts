// Live sessions over their lifetime, end to end as in sessions.int.test.ts: idle stop and
// keepalive, stop and resume, stop during provisioning, and an agent that dies.
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { useLiveStudio } from "./testing/live-studio.ts";
import { processesUnder } from "./testing/processes.ts";
import { collectEvents, lastSeq, type ReceivedEvent, sequenceProblems } from "./testing/session-events.ts";

const live = useLiveStudio();

/** Every message the session was sent, as its log stored them. */
const userMessages = (events: ReceivedEvent[]) =>
  events.filter((e) => e.type === "user_message").map((e) => (e as { text: string }).text);

// Each sandbox start (sandbox-agent and OpenCode) costs seconds of CPU. The tests that need a ready
// session, not a fresh one, take turns on one, each looking only at the events after its start:
// the agent's restart, then a stop and resume, then the idle stop, which ends it. A test run alone,
// or after one that left the session other than ready or idle, gets a new one (`live.readySession`).

describe("lifecycle", { timeout: 180_000 }, () => {
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
    const { session, events } = await live.readySession();
    const mark = lastSeq(events.events);
    live.upstream.enqueue([{ text: "Before the crash." }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "hello" });
    await events.waitFor("turn_ended", (event) => event.seq > mark);
    const row = await live.database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } });
    // The agent (`opencode acp`), not the sandbox-agent server that spawned it.
    const agents = processesUnder(path.join(live.dataDir, "sandboxes", row.sandboxId!)).filter(
      (p) => /opencode\S* acp/.test(p.cmdline) && !p.cmdline.includes("sandbox-agent server"),
    );
    expect(agents.length).toBeGreaterThan(0);
    for (const agent of agents) process.kill(agent.pid, "SIGKILL");
    const notice = await events.waitFor(
      "notice",
      (event) => event.code === "agent_restarted" && event.seq > mark,
      60_000,
    );
    expect(notice.level).toBe("warning");
    live.upstream.enqueue([{ text: "After the crash." }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "still there?" });
    await events.waitFor("turn_ended", (event) => event.seq > notice.seq);
    const last = live.upstream.requests.filter((request) => !request.isTitle).at(-1)!;
    expect(JSON.stringify(last.body)).toContain("Before the crash.");
    expect((await live.client.sessions.get.query({ sessionId: session.id })).status).toBe("idle");
  });

  it("stop leaves no sandbox process behind; resume continues the conversation", async () => {
    const { session, events } = await live.readySession();
    const mark = lastSeq(events.events);
    const earlier = userMessages(events.events);
    live.upstream.enqueue([{ text: "Remember the word PINEAPPLE." }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "remember a word" });
    await events.waitFor("turn_ended", (event) => event.seq > mark);
    const row = await live.database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } });
    const sandboxDir = path.join(live.dataDir, "sandboxes", row.sandboxId!);
    expect(processesUnder(sandboxDir).length).toBeGreaterThan(0);

    await live.client.sessions.stop.mutate({ sessionId: session.id });
    await events.waitFor("session_ended", (event) => event.seq > mark);
    await vi.waitFor(() => expect(processesUnder(sandboxDir)).toEqual([]), { timeout: 20_000 });
    await expect(
      live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "hello?" }),
    ).rejects.toMatchObject({
      data: { code: "CONFLICT" },
      message: "The session is stopped. Resume it to continue.",
    });

    const stopped = lastSeq(events.events);
    await live.client.sessions.resume.mutate({ sessionId: session.id });
    await events.waitFor("status_changed", (event) => event.to === "ready" && event.seq > stopped, 90_000);
    live.upstream.enqueue([{ text: "The word was PINEAPPLE." }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "what was the word?" });
    await events.waitFor("turn_ended", (event) => event.seq > stopped);
    const last = live.upstream.requests.filter((request) => !request.isTitle).at(-1)!;
    expect(JSON.stringify(last.body)).toContain("Remember the word PINEAPPLE.");
    // The history replayed by session/load was not stored a second time.
    expect(userMessages(events.events)).toEqual([...earlier, "remember a word", "what was the word?"]);
    expect(sequenceProblems(events.events)).toBeNull();
  });

  it("stops itself when idle, and keepalive holds it", async () => {
    // Last of the tests on the shared session: this one ends it.
    const { session, events } = await live.readySession();
    const mark = lastSeq(events.events);
    const { status } = await live.client.sessions.get.query({ sessionId: session.id });
    // Idle counts from now, not from an earlier test's last turn.
    await live.client.sessions.keepalive.mutate({ sessionId: session.id });
    await live.database.db.studioSession.update({
      where: { id: session.id },
      data: { idleTimeoutSeconds: 4 },
    });
    const keepalives = setInterval(
      () => void live.client.sessions.keepalive.mutate({ sessionId: session.id }),
      1000,
    );
    await new Promise((resolve) => setTimeout(resolve, 7000));
    // Still live as it was: ready when fresh, idle after an earlier test's turns.
    expect((await live.client.sessions.get.query({ sessionId: session.id })).status).toBe(status);
    clearInterval(keepalives);
    const ended = await events.waitFor("session_ended", (event) => event.seq > mark, 30_000);
    expect(ended.reason).toMatch(/without activity/);
    expect((await live.client.sessions.get.query({ sessionId: session.id })).status).toBe("stopped");
  });
});
