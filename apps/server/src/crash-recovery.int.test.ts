// The studio killed with SIGKILL at each point of a scripted turn, and started again each time: the
// session's log must tell the turn as an uninterrupted run of the same script tells it. Each kill
// also cuts the model call under way (the gateway dies with the studio), so OpenCode retries it
// into the same message; the scripted model answers a cut call again, as a deterministic model
// would.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { StudioEvent } from "@studio/acp/events";
import { createStudioClient, type StudioClient } from "@studio/client";
import { enqueueCommand, markTurnStarted } from "@studio/core/runner";
import { findFreePort } from "@studio/db/postgres";
import {
  type RecordedRequest,
  type ScriptedModelServer,
  type ScriptedReply,
  startScriptedModelServer,
} from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useDataDirs } from "./testing/data-dirs.ts";
import {
  agentText,
  collectEvents,
  type EventCollector,
  type ReceivedEvent,
  sequenceProblems,
} from "./testing/session-events.ts";
import { type StudioProcess, signUpAccount, startStudioProcess } from "./testing/studio-process.ts";

const newDataDir = useDataDirs();
const database = useTestDatabase();
let upstream: ScriptedModelServer;
let studio: StudioProcess;
let env: Record<string, string>;
/** While set, the model answers from the request: the same call, repeated after a cut, alike. */
let answer: ((request: RecordedRequest) => ScriptedReply) | undefined;

beforeAll(async () => {
  upstream = await startScriptedModelServer({ replyFor: (request) => answer?.(request) });
  env = {
    DATABASE_URL: database.url,
    STUDIO_DATA_DIR: newDataDir("studio-crash-"),
    CUSTOM_OPENAI_BASE_URL: `${upstream.url}/v1`,
    // The sandbox keeps the gateway's address: the studio comes back on the same port.
    PORT: String(await findFreePort()),
    SESSION_LEASE_SECONDS: "3",
  };
  studio = await startStudioProcess(env);
}, 120_000);

afterEach((context) => {
  answer = undefined;
  if (context.task.result?.state !== "fail") return;
  console.log("studio:", studio.output.join("").slice(-20_000));
  console.log(
    "model calls:",
    upstream.requests.map(
      (request) => `${request.isTitle ? "title" : "main"}${request.aborted ? " (cut)" : ""}`,
    ),
  );
  // What the sandboxes' agent servers saw.
  const root = path.join(env.STUDIO_DATA_DIR!, "sandboxes");
  for (const dir of existsSync(root) ? readdirSync(root) : []) {
    const log = path.join(root, dir, "agent.log");
    if (existsSync(log)) console.log(`agent.log of ${dir}:`, readFileSync(log, "utf8").slice(-15_000));
  }
});

afterAll(async () => {
  await studio?.stop();
  await upstream?.close();
});

const pieces = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i} `);

/** The turn's script as a deterministic model: what it answers depends only on the request. */
function scriptedAnswer(request: RecordedRequest): ScriptedReply {
  const [beforeTool, afterTool] = script();
  return JSON.stringify(request.body).includes('"role":"tool"') ? afterTool! : beforeTool!;
}

/**
 * Thinking, an answer and a tool call that asks permission; then the answer after the tool ran.
 * Each kill but the one at the permission prompt must land inside a model call, so that whether
 * the call was cut is never in doubt: the tool call's arguments stream for a while after the call
 * shows, and the last reply holds its stream open after its last chunk.
 */
function script(): ScriptedReply[] {
  const args = { command: "echo crash-test > crash.txt", description: "Write a file" };
  const serialised = JSON.stringify(args);
  const argumentChunks = Array.from({ length: 6 }, (_, i) =>
    serialised.slice(i * 10, i === 5 ? undefined : i * 10 + 10),
  );
  return [
    {
      steps: [
        { delayMs: 1_500 },
        { reasoning: pieces("think", 6) },
        { text: pieces("say", 8) },
        { toolCall: { name: "bash", arguments: args, argumentChunks } },
      ],
      chunkDelayMs: 300,
    },
    { steps: [{ text: pieces("done", 8) }, { delayMs: 1_500 }], chunkDelayMs: 300 },
  ];
}

type Point = { name: string; reached(events: ReceivedEvent[], mainCallsSinceSent: number): boolean };
const count = (events: ReceivedEvent[], type: StudioEvent["type"]) =>
  events.filter((e) => e.type === type).length;
/** The reply's text so far: the runner may have joined several chunks into one event. */
const streamedText = (events: ReceivedEvent[], type: StudioEvent["type"] = "agent_message_chunk") =>
  events
    .filter((e) => e.type === type)
    .map((e) => (e as { text: string }).text)
    .join("");

const KILL_POINTS: Point[] = [
  // The turn is recorded a moment before its prompt reaches the agent: a kill in between is the
  // other test's case. This one lands once the model call is under way (its first chunk is 1.5 s off).
  {
    name: "before the first chunk",
    reached: (events, mainCallsSinceSent) => count(events, "turn_started") > 0 && mainCallsSinceSent > 0,
  },
  { name: "mid-thought", reached: (events) => streamedText(events, "thought_chunk").includes("think1 ") },
  { name: "mid-message", reached: (events) => streamedText(events).includes("say2 ") },
  { name: "during a tool call", reached: (events) => count(events, "tool_call") > 0 },
  { name: "while a permission prompt waits", reached: (events) => count(events, "permission_requested") > 0 },
  {
    name: "between the last chunk and the turn's end",
    reached: (events) => streamedText(events).includes("done7 "),
  },
];

/** What the turn told: each message's text, the tool calls and their end, the interactions, the end. */
function outcome(events: StudioEvent[]) {
  const texts = new Map<string, string>();
  const tools = new Map<string, { title: string; status: string; output: string }>();
  for (const event of events) {
    if (event.type === "agent_message_chunk")
      texts.set(event.messageId ?? "", (texts.get(event.messageId ?? "") ?? "") + event.text);
    if (event.type === "agent_message_settled") texts.set(event.messageId, event.text);
    if (event.type === "tool_call" || event.type === "tool_call_update") {
      const tool = tools.get(event.toolCallId) ?? { title: "", status: "", output: "" };
      tools.set(event.toolCallId, {
        title: event.title ?? tool.title,
        status: event.status ?? tool.status,
        output: event.content ? JSON.stringify(event.content) : tool.output,
      });
    }
  }
  const calls = [...tools.values()];
  return {
    texts: [...texts.values()].filter((text) => text !== ""),
    // A call cut while the model streamed a tool call leaves OpenCode's record of that attempt: a
    // tool call failed as aborted. It must have ended; it is no part of the answer.
    tools: calls.filter((call) => !call.output.includes("Tool execution aborted")).map((call) => call.status),
    abortedStillOpen: calls.filter((call) => call.output.includes("aborted") && call.status !== "failed"),
    interactions: events
      .filter((e) => e.type === "permission_requested" || e.type === "permission_resolved")
      .map((e) => (e.type === "permission_resolved" ? `resolved ${e.optionKind}` : "requested")),
    ends: events.filter((e) => e.type === "turn_ended").map((e) => (e as { stopReason: string }).stopReason),
  };
}

async function storedEvents(sessionId: string): Promise<ReceivedEvent[]> {
  const rows = await database.db.sessionEvent.findMany({ where: { sessionId }, orderBy: { seq: "asc" } });
  return rows.map((row) => ({ ...(row.payload as StudioEvent), seq: Number(row.seq), at: row.createdAt }));
}

async function allowWhenAsked(
  client: StudioClient,
  sessionId: string,
  events: EventCollector,
  after: number,
) {
  const asked = await events.waitFor("permission_requested", (event) => event.seq > after, 120_000);
  const allow = asked.options.find((option) => option.kind === "allow_once")!;
  await client.sessions.respondToPermission.mutate({
    sessionId,
    interactionId: asked.interactionId,
    optionId: allow.optionId,
  });
}

describe("the studio killed mid-turn and started again", { timeout: 600_000 }, () => {
  it("tells the turn exactly as an uninterrupted run does, wherever the kill lands", async () => {
    const account = await signUpAccount(studio.url);
    const create = () =>
      account.client.sessions.create.mutate({
        environment: "development",
        provider: "custom",
        model: "scripted-1",
      });

    // The uninterrupted run. The session to kill is created alongside, so that its sandbox starts
    // while the calm one runs its turn (nothing is killed before that turn has ended).
    const calm = await create();
    const session = await create();
    let events = collectEvents(account.client, calm.id);
    const killedReady = collectEvents(account.client, session.id);
    await events.waitFor("status_changed", (event) => event.to === "ready", 120_000);
    answer = scriptedAnswer;
    await account.client.sessions.sendMessage.mutate({ sessionId: calm.id, text: "go" });
    await allowWhenAsked(account.client, calm.id, events, 0);
    await events.waitFor("turn_ended", undefined, 120_000);
    events.stop();
    const expected = outcome(await storedEvents(calm.id));
    expect(expected.texts).toEqual([pieces("say", 8).join(""), pieces("done", 8).join("")]);
    expect(expected.tools).toEqual(["completed"]);
    // Nothing to correct when nothing was cut.
    expect((await storedEvents(calm.id)).filter((e) => e.type === "agent_message_settled")).toEqual([]);

    // The same script, killed at each point.
    await killedReady.waitFor("status_changed", (event) => event.to === "ready", 120_000);
    killedReady.stop();
    let client = account.client;
    events = collectEvents(client, session.id);
    await events.waitFor("status_changed", (event) => event.to === "ready", 120_000);
    answer = scriptedAnswer;
    const mainCalls = () => upstream.requests.filter((request) => !request.isTitle).length;
    const mainCallsBeforeSent = mainCalls();
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "go" });
    let mark = 0;
    for (const point of KILL_POINTS) {
      const since = () => events.events.filter((event) => event.seq > mark);
      await expect
        .poll(() => point.reached(since(), mainCalls() - mainCallsBeforeSent), {
          timeout: 180_000,
          interval: 20,
          message: point.name,
        })
        .toBe(true)
        .catch(async (error: unknown) => {
          const stored = (await storedEvents(session.id)).filter((event) => event.seq > mark);
          const all = await storedEvents(session.id);
          console.log(point.name, {
            received: since().length,
            stored: stored.length,
            subscriptionErrors: events.errors.map(String),
            log: all.map((event) => {
              const { seq, at: _at, type, ...rest } = event as ReceivedEvent & Record<string, unknown>;
              const detail = JSON.stringify(rest).slice(0, 160);
              return `${seq} ${type} ${type.includes("chunk") ? (rest.text as string) : detail}`;
            }),
            calls: upstream.requests.map((r) => `${r.isTitle ? "title" : "main"}${r.aborted ? " cut" : ""}`),
          });
          throw error;
        });
      // A permission is asked once the tool call's arguments are whole, a moment before its model
      // call's response ends: this kill is meant to cut no call.
      if (point.name === "while a permission prompt waits")
        await expect.poll(() => upstream.answering, { timeout: 30_000 }).toBe(0);
      await studio.kill();
      events.stop();
      mark = Math.max(mark, ...events.events.map((event) => event.seq));
      studio = await startStudioProcess(env);
      client = createStudioClient({ url: studio.url, token: account.token });
      events = collectEvents(client, session.id, mark);
      if (point.name === "while a permission prompt waits") {
        // The prompt still waits after the restart, and is answered through the new studio.
        const pending = await client.sessions.pendingInteractions.query({ sessionId: session.id });
        expect(pending).toHaveLength(1);
        const asked = (await storedEvents(session.id)).findLast((e) => e.type === "permission_requested")!;
        if (asked.type !== "permission_requested") throw new Error("unreachable");
        const allow = asked.options.find((option) => option.kind === "allow_once")!;
        await client.sessions.respondToPermission.mutate({
          sessionId: session.id,
          interactionId: asked.interactionId,
          optionId: allow.optionId,
        });
      }
    }
    await events.waitFor("turn_ended", undefined, 180_000);
    events.stop();

    const stored = await storedEvents(session.id);
    expect(sequenceProblems(stored)).toBeNull();
    const got = outcome(stored);
    expect(got.texts).toEqual(expected.texts);
    // The kills did cut model calls that OpenCode then made again.
    expect(stored.filter((e) => e.type === "agent_message_settled").length).toBeGreaterThan(0);
    expect(got.tools).toEqual(expected.tools);
    expect(got.abortedStillOpen).toEqual([]);
    expect(got.interactions).toEqual(expected.interactions);
    expect(got.ends).toEqual(["end_turn"]);
    expect((await client.sessions.get.query({ sessionId: session.id })).status).toBe("idle");
    answer = undefined;
  });

  it("ends in error a turn whose prompt never reached the agent, and the session goes on", async () => {
    const account = await signUpAccount(studio.url);
    const session = await account.client.sessions.create.mutate({
      environment: "development",
      provider: "custom",
      model: "scripted-1",
    });
    let events = collectEvents(account.client, session.id);
    await events.waitFor("status_changed", (event) => event.to === "ready", 120_000);
    events.stop();
    // The studio dies between recording a turn and sending its prompt: the log and the session say
    // a turn runs, the agent never heard of it.
    await studio.kill();
    const messageId = "lost-prompt";
    const commandId = await enqueueCommand(
      database.db,
      session.id,
      { kind: "prompt", messageId, text: "never sent" },
      null,
    );
    await database.db.sessionCommand.update({ where: { id: commandId }, data: { status: "running" } });
    await markTurnStarted(database.db, session.id, "turn-never-sent", messageId);
    const mark = Math.max(...(await storedEvents(session.id)).map((event) => event.seq));

    studio = await startStudioProcess(env);
    const client = createStudioClient({ url: studio.url, token: account.token });
    events = collectEvents(client, session.id, mark);
    const ended = await events.waitFor("turn_ended", undefined, 180_000);
    expect(ended).toMatchObject({ turnId: "turn-never-sent", stopReason: "error" });
    expect(events.events.find((event) => event.type === "error")).toMatchObject({
      message: expect.stringContaining("Send it again"),
    });
    const command = await database.db.sessionCommand.findUniqueOrThrow({ where: { id: commandId } });
    expect(command.status).not.toBe("running");

    upstream.enqueue([{ text: "Here now." }]);
    await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "again" });
    await events.waitFor("turn_ended", (event) => event.seq > ended.seq, 120_000);
    expect(agentText(events.events, ended.seq)).toBe("Here now.");
    events.stop();
  });
});
