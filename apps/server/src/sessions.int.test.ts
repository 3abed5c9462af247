// Live sessions end to end: a real studio process, real PostgreSQL, the real sandbox-agent and
// OpenCode in a local sandbox, and the scripted model server as the only stand-in (the upstream
// behind the studio's gateway).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { StudioClient } from "@studio/client";
import { type ScriptedModelServer, startScriptedModelServer } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { useDataDirs } from "./testing/data-dirs.ts";
import { processesUnder } from "./testing/processes.ts";
import { agentText, collectEvents, sequenceProblems } from "./testing/session-events.ts";
import { type StudioProcess, signUpAccount, startStudioProcess } from "./testing/studio-process.ts";

const newDataDir = useDataDirs();
const database = useTestDatabase();
let upstream: ScriptedModelServer;
let studio: StudioProcess;
let client: StudioClient;
let dataDir: string;

beforeAll(async () => {
  upstream = await startScriptedModelServer();
  dataDir = newDataDir("studio-sessions-");
  studio = await startStudioProcess({
    DATABASE_URL: database.url,
    STUDIO_DATA_DIR: dataDir,
    CUSTOM_OPENAI_BASE_URL: `${upstream.url}/v1`,
    CUSTOM_OPENAI_API_KEY: "sk-platform-test",
  });
  client = (await signUpAccount(studio.url)).client;
}, 120_000);

afterEach((context) => {
  // A failing test shows what the studio process said.
  if (context.task.result?.state === "fail") console.log(studio.output.join("").slice(-6000));
  // A reply left in the queue would answer the next test's prompt: each test uses exactly its own.
  expect(upstream.queued, "scripted replies left unused").toBe(0);
});

afterAll(async () => {
  await studio?.stop();
  await upstream?.close();
});

async function startSession() {
  const session = await client.sessions.create.mutate({
    environment: "development",
    provider: "custom",
    model: "scripted-1",
  });
  const events = collectEvents(client, session.id);
  await events.waitFor("status_changed", (event) => event.to === "ready", 90_000);
  return { session, events };
}

/** The directories of the sandboxes made for a session, found by their state files. */
function sandboxDirsOf(sessionId: string): string[] {
  const root = path.join(dataDir, "sandboxes");
  return readdirSync(root)
    .map((name) => path.join(root, name))
    .filter((dir) => {
      const state = path.join(dir, "sandbox.json");
      return existsSync(state) && JSON.parse(readFileSync(state, "utf8")).sessionId === sessionId;
    });
}

async function workspaceOf(sessionId: string): Promise<string> {
  const row = await database.db.studioSession.findUniqueOrThrow({
    where: { id: sessionId },
    select: { sandboxId: true },
  });
  return path.join(dataDir, "sandboxes", row.sandboxId!, "workspace");
}

describe("a live session", { timeout: 120_000 }, () => {
  it("provisions step by step, then streams a text turn", async () => {
    const { session, events } = await startSession();
    const steps = events.events.filter((event) => event.type === "provisioning");
    expect(steps.map((event) => `${event.step}:${event.state}`)).toEqual(
      expect.arrayContaining([
        "sandbox:started",
        "sandbox:completed",
        "agent:completed",
        "session:completed",
      ]),
    );

    upstream.enqueue([{ text: "Hello! I am the scripted model, streaming in small chunks." }]);
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "say hello" });
    const ended = await events.waitFor("turn_ended");
    expect(ended.stopReason).toBe("end_turn");
    expect(agentText(events.events)).toBe("Hello! I am the scripted model, streaming in small chunks.");
    const types = events.events.map((event) => event.type);
    expect(types.indexOf("user_message")).toBeLessThan(types.indexOf("turn_started"));
    expect(types.indexOf("turn_started")).toBeLessThan(types.indexOf("agent_message_chunk"));
    expect(sequenceProblems(events.events)).toBeNull();
    await vi.waitFor(async () =>
      expect((await client.sessions.get.query({ sessionId: session.id })).status).toBe("idle"),
    );
    // The gateway swapped the key: upstream saw the platform key, never the session token.
    const main = upstream.requests.filter((request) => !request.isTitle).at(-1)!;
    expect(main.headers.authorization).toBe("Bearer sk-platform-test");
    events.stop();
  });

  it("shows thinking before the message, each run its own event", async () => {
    const { session, events } = await startSession();
    upstream.enqueue([{ reasoning: "Let me think about this carefully." }, { text: "Here is my answer." }]);
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "think first" });
    await events.waitFor("turn_ended");
    const kinds = events.events.filter((e) => e.type === "thought_chunk" || e.type === "agent_message_chunk");
    const thought = kinds
      .filter((e) => e.type === "thought_chunk")
      .map((e) => (e as { text: string }).text)
      .join("");
    expect(thought).toBe("Let me think about this carefully.");
    expect(kinds.at(0)?.type).toBe("thought_chunk");
    expect(kinds.at(-1)?.type).toBe("agent_message_chunk");
    events.stop();
  });

  it("asks permission for a tool call, runs it when allowed and fails it when rejected", async () => {
    const { session, events } = await startSession();
    const workspace = await workspaceOf(session.id);
    upstream.enqueue(
      [
        {
          toolCall: {
            name: "bash",
            arguments: { command: "echo allowed > allowed.txt", description: "Write a file" },
          },
        },
      ],
      [{ text: "The file is written." }],
    );
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "write a file" });
    const asked = await events.waitFor("permission_requested");
    expect(asked.options.map((option) => option.kind)).toEqual(["allow_once", "allow_always", "reject_once"]);
    const pending = await client.sessions.pendingInteractions.query({ sessionId: session.id });
    expect(pending.map((interaction) => interaction.id)).toEqual([asked.interactionId]);
    const allow = asked.options.find((option) => option.kind === "allow_once")!;
    await client.sessions.respondToPermission.mutate({
      sessionId: session.id,
      interactionId: asked.interactionId,
      optionId: allow.optionId,
    });
    await events.waitFor("turn_ended");
    expect(readFileSync(path.join(workspace, "allowed.txt"), "utf8").trim()).toBe("allowed");
    const resolved = await events.waitFor("permission_resolved");
    expect(resolved).toMatchObject({ interactionId: asked.interactionId, optionKind: "allow_once" });
    const toolId = asked.toolCallId;
    const statuses = events.events
      .filter((e) => "toolCallId" in e && e.toolCallId === toolId && "status" in e)
      .map((e) => (e as { status?: string }).status);
    expect(statuses.at(-1)).toBe("completed");
    await expect(
      client.sessions.respondToPermission.mutate({
        sessionId: session.id,
        interactionId: asked.interactionId,
        optionId: allow.optionId,
      }),
    ).rejects.toMatchObject({ data: { code: "CONFLICT" } });

    const seenBefore = events.events.length;
    // A rejection fails the tool call and ends the turn: OpenCode asks the model nothing more.
    upstream.enqueue([
      {
        toolCall: {
          name: "bash",
          arguments: { command: "echo rejected > rejected.txt", description: "Write another" },
        },
      },
    ]);
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "write another file" });
    const second = await events.waitFor(
      "permission_requested",
      (event) => event.interactionId !== asked.interactionId,
    );
    const reject = second.options.find((option) => option.kind === "reject_once")!;
    await client.sessions.respondToPermission.mutate({
      sessionId: session.id,
      interactionId: second.interactionId,
      optionId: reject.optionId,
    });
    await events.waitFor("turn_ended", (event) => event.seq > seenBefore);
    expect(existsSync(path.join(workspace, "rejected.txt"))).toBe(false);
    const rejectedStatuses = events.events
      .filter((e) => "toolCallId" in e && e.toolCallId === second.toolCallId && "status" in e)
      .map((e) => (e as { status?: string }).status);
    expect(rejectedStatuses.at(-1)).toBe("failed");
    events.stop();
  });

  it("asks a question the person answers, and the agent goes on with the answer", async () => {
    const { session, events } = await startSession();
    upstream.enqueue(
      [
        {
          toolCall: {
            name: "question",
            arguments: {
              questions: [
                {
                  question: "Which colour should the button be?",
                  header: "Colour",
                  options: [
                    { label: "Red", description: "Warm" },
                    { label: "Blue", description: "Calm" },
                  ],
                },
              ],
            },
          },
        },
      ],
      [{ text: "Blue it is." }],
    );
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "style the button" });
    const asked = await events.waitFor("question_asked");
    expect(asked.questions[0]).toMatchObject({ question: "Which colour should the button be?" });
    const pending = await client.sessions.pendingInteractions.query({ sessionId: session.id });
    expect(pending.map((interaction) => interaction.kind)).toEqual(["question"]);
    await client.sessions.answerQuestion.mutate({
      sessionId: session.id,
      interactionId: asked.interactionId,
      answers: [["Blue"]],
    });
    await events.waitFor("turn_ended");
    expect(agentText(events.events)).toBe("Blue it is.");
    const followUp = upstream.requests.filter((request) => !request.isTitle).at(-1)!;
    expect(JSON.stringify(followUp.body)).toContain("Blue");
    expect(await client.sessions.pendingInteractions.query({ sessionId: session.id })).toEqual([]);
    events.stop();
  });

  it("cancels a running turn", async () => {
    const { session, events } = await startSession();
    upstream.enqueue([{ text: "I will talk for a long time" }, { hang: true }]);
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "talk forever" });
    await events.waitFor("agent_message_chunk");
    await client.sessions.cancel.mutate({ sessionId: session.id });
    const ended = await events.waitFor("turn_ended");
    expect(ended.stopReason).toBe("cancelled");
    await vi.waitFor(async () =>
      expect((await client.sessions.get.query({ sessionId: session.id })).status).toBe("idle"),
    );
    await expect(client.sessions.cancel.mutate({ sessionId: session.id })).rejects.toMatchObject({
      data: { code: "CONFLICT" },
    });
    events.stop();
  });

  it("keeps the conversation across turns, queueing a message sent during a turn", async () => {
    const { session, events } = await startSession();
    upstream.enqueue([{ text: "First answer." }], [{ text: "Second answer." }]);
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "first question" });
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "second question" });
    await vi.waitFor(() => expect(events.events.filter((e) => e.type === "turn_ended")).toHaveLength(2), {
      timeout: 60_000,
    });
    expect(agentText(events.events)).toBe("First answer.Second answer.");
    const followUp = upstream.requests.filter((request) => !request.isTitle).at(-1)!;
    expect(JSON.stringify(followUp.body)).toContain("first question");
    expect(JSON.stringify(followUp.body)).toContain("First answer.");
    events.stop();
  });
});

describe("subscribers", { timeout: 120_000 }, () => {
  it("resume after a drop with lastEventId, and two subscribers see the same log", async () => {
    const { session, events: first } = await startSession();
    const second = collectEvents(client, session.id);
    upstream.enqueue({ steps: [{ text: "x".repeat(400), chunkSize: 4 }], chunkDelayMs: 2 });
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "stream a lot" });
    await first.waitFor("agent_message_chunk");
    first.stop();
    const lastSeen = first.events.at(-1)!.seq;
    const resumed = collectEvents(client, session.id, lastSeen);
    await resumed.waitFor("turn_ended");
    await second.waitFor("turn_ended");
    const joined = [...first.events, ...resumed.events];
    expect(sequenceProblems(joined)).toBeNull();
    expect(sequenceProblems(second.events)).toBeNull();
    expect(second.events.map((e) => e.seq)).toEqual(joined.map((e) => e.seq).slice(0, second.events.length));
    expect(agentText(joined)).toBe("x".repeat(400));
    const stored = await database.db.sessionEvent.count({ where: { sessionId: session.id } });
    expect(second.events.length).toBeLessThanOrEqual(stored);
    resumed.stop();
    second.stop();
  });
});

describe("lifecycle", { timeout: 180_000 }, () => {
  it("stops itself when idle, and keepalive holds it", async () => {
    const { session, events } = await startSession();
    await database.db.studioSession.update({ where: { id: session.id }, data: { idleTimeoutSeconds: 4 } });
    const keepalives = setInterval(
      () => void client.sessions.keepalive.mutate({ sessionId: session.id }),
      1000,
    );
    await new Promise((resolve) => setTimeout(resolve, 7000));
    expect((await client.sessions.get.query({ sessionId: session.id })).status).toBe("ready");
    clearInterval(keepalives);
    const ended = await events.waitFor("session_ended", undefined, 30_000);
    expect(ended.reason).toMatch(/without activity/);
    expect((await client.sessions.get.query({ sessionId: session.id })).status).toBe("stopped");
    events.stop();
  });

  it("stop leaves no sandbox process behind; resume continues the conversation", async () => {
    const { session, events } = await startSession();
    upstream.enqueue([{ text: "Remember the word PINEAPPLE." }]);
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "remember a word" });
    await events.waitFor("turn_ended");
    const row = await database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } });
    const sandboxDir = path.join(dataDir, "sandboxes", row.sandboxId!);
    expect(processesUnder(sandboxDir).length).toBeGreaterThan(0);

    await client.sessions.stop.mutate({ sessionId: session.id });
    await events.waitFor("session_ended");
    await vi.waitFor(() => expect(processesUnder(sandboxDir)).toEqual([]), { timeout: 20_000 });
    await expect(
      client.sessions.sendMessage.mutate({ sessionId: session.id, text: "hello?" }),
    ).rejects.toMatchObject({
      data: { code: "CONFLICT" },
      message: "The session is stopped. Resume it to continue.",
    });

    const before = events.events.length;
    await client.sessions.resume.mutate({ sessionId: session.id });
    await events.waitFor(
      "status_changed",
      (event) => event.to === "ready" && event.seq > events.events[before - 1]!.seq,
      90_000,
    );
    upstream.enqueue([{ text: "The word was PINEAPPLE." }]);
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "what was the word?" });
    await events.waitFor("turn_ended", (event) => event.seq > events.events[before - 1]!.seq);
    const last = upstream.requests.filter((request) => !request.isTitle).at(-1)!;
    expect(JSON.stringify(last.body)).toContain("Remember the word PINEAPPLE.");
    // The history replayed by session/load was not stored a second time.
    expect(
      events.events.filter((e) => e.type === "user_message").map((e) => (e as { text: string }).text),
    ).toEqual(["remember a word", "what was the word?"]);
    expect(sequenceProblems(events.events)).toBeNull();
    events.stop();
  });

  it("stopped while provisioning, it leaves no sandbox behind and stays stopped", async () => {
    const session = await client.sessions.create.mutate({
      environment: "development",
      provider: "custom",
      model: "scripted-1",
    });
    const events = collectEvents(client, session.id);
    // sandbox-agent is starting: the sandbox exists, the session does not know it yet.
    await events.waitFor(
      "provisioning",
      (event) => event.step === "sandbox.agent-server" && event.state === "started",
      90_000,
    );
    await client.sessions.stop.mutate({ sessionId: session.id });
    await events.waitFor("status_changed", (event) => event.to === "stopped");
    const [sandboxDir, ...others] = sandboxDirsOf(session.id);
    expect(sandboxDir).toBeDefined();
    expect(others).toEqual([]);
    await vi.waitFor(() => expect(processesUnder(sandboxDir!)).toEqual([]), { timeout: 20_000 });
    // Whatever the interrupted provisioning was doing has ended: nothing revives or fails it later.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(processesUnder(sandboxDir!)).toEqual([]);
    expect((await client.sessions.get.query({ sessionId: session.id })).status).toBe("stopped");
    expect(events.events.filter((event) => event.type === "status_changed").at(-1)).toMatchObject({
      to: "stopped",
    });
    events.stop();
  });

  it("restarts the agent once when its process dies, and reloads the conversation", async () => {
    const { session, events } = await startSession();
    upstream.enqueue([{ text: "Before the crash." }]);
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "hello" });
    await events.waitFor("turn_ended");
    const row = await database.db.studioSession.findUniqueOrThrow({ where: { id: session.id } });
    // The agent (`opencode acp`), not the sandbox-agent server that spawned it.
    const agents = processesUnder(path.join(dataDir, "sandboxes", row.sandboxId!)).filter(
      (p) => /opencode\S* acp/.test(p.cmdline) && !p.cmdline.includes("sandbox-agent server"),
    );
    expect(agents.length).toBeGreaterThan(0);
    for (const agent of agents) process.kill(agent.pid, "SIGKILL");
    const notice = await events.waitFor("notice", (event) => event.code === "agent_restarted", 60_000);
    expect(notice.level).toBe("warning");
    upstream.enqueue([{ text: "After the crash." }]);
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "still there?" });
    await events.waitFor("turn_ended", (event) => event.seq > notice.seq);
    const last = upstream.requests.filter((request) => !request.isTitle).at(-1)!;
    expect(JSON.stringify(last.body)).toContain("Before the crash.");
    expect((await client.sessions.get.query({ sessionId: session.id })).status).toBe("idle");
    events.stop();
  });
});
