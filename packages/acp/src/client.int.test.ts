// AcpClient against the REAL sandbox-agent 0.4.2 and the REAL opencode 1.18.33, with the scripted
// model server as the only model endpoint. Each test gets its own sandbox-agent (own HOME), so a
// killed or closed agent never leaks into the next test.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type ScriptedModelServer, startScriptedModelServer } from "@studio/testkit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Inbox } from "../test/inbox.ts";
import { isAlive, type SandboxAgentHarness, startSandboxAgent } from "../test/sandbox-agent-harness.ts";
import { AcpClient, type AcpClientOptions } from "./client.ts";
import { AgentExitedError } from "./errors.ts";
import { studioEventSchema } from "./events.ts";
import { normaliseAgentMessage } from "./normalise.ts";

const TIMEOUT = 180_000;
let model: ScriptedModelServer;
let harness: SandboxAgentHarness;
const clients: AcpClient[] = [];
// ACP_TEST_LOG=1 prints the client's own log (reconnects, dropped POSTs) while debugging.
const print = (level: string) => (fields: unknown, message: string) =>
  console.log(`[acp ${level}] ${message} ${JSON.stringify(fields)}`);
const logger = process.env.ACP_TEST_LOG
  ? { debug: print("debug"), info: print("info"), warn: print("warn"), error: print("error") }
  : undefined;

// A fresh model server and sandbox-agent per test: a reply one test left queued (or a request
// count from an earlier test) can never leak into the next.
beforeEach(async () => {
  model = await startScriptedModelServer();
  harness = await startSandboxAgent({ modelUrl: model.url });
}, TIMEOUT);
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await harness?.stop();
  await model?.close();
}, TIMEOUT);

function connect(serverId: string, extra: Partial<AcpClientOptions> = {}): AcpClient {
  const client = new AcpClient({
    baseUrl: harness.baseUrl,
    token: harness.token,
    serverId,
    logger,
    ...extra,
  });
  clients.push(client);
  return client;
}

/** initialize + session/new, with a consumer appending every message to an inbox. */
async function openSession(serverId = "srv-main", extra: Partial<AcpClientOptions> = {}) {
  const client = connect(serverId, extra);
  const inbox = new Inbox(client);
  const init = await client.initialize();
  const { sessionId } = await client.newSession(harness.workspace);
  return { client, inbox, init, sessionId };
}

function text(value: string) {
  return [{ type: "text" as const, text: value }];
}

function chunkText(inbox: Inbox, kind = "agent_message_chunk"): string {
  return inbox
    .updates(kind)
    .map((u) => u.content?.text ?? "")
    .join("");
}

describe("AcpClient against sandbox-agent + opencode", { timeout: TIMEOUT }, () => {
  it("initializes, opens a session and streams a text reply as chunks", async () => {
    const reply = "Hello from the scripted model, streamed in several small chunks.";
    model.enqueue([{ text: reply, chunkSize: 8 }]);
    const { client, inbox, init, sessionId } = await openSession();
    expect(init).toMatchObject({ protocolVersion: 1, agentInfo: { name: "OpenCode" } });
    expect(sessionId).toMatch(/^ses_/);

    const result = await client.prompt(sessionId, text("say hello"));
    expect(result.stopReason).toBe("end_turn");
    // The SSE copy of the prompt's response comes after every update of the turn.
    const end = await inbox.waitFor((i) => i.type === "response" && i.method === "session/prompt");
    const before = inbox.items.slice(0, inbox.items.indexOf(end));
    expect(inbox.updates("agent_message_chunk").length).toBeGreaterThan(1);
    expect(chunkText(inbox)).toBe(reply);

    // Stream order is SSE order: event ids strictly increase by one.
    const ids = inbox.items.map((i) => Number(i.eventId));
    expect(ids).toEqual(ids.map((_, k) => ids[0]! + k));
    for (const item of before) {
      for (const event of normaliseAgentMessage(item.message, { interactionIdFor: (k) => k })) {
        expect(studioEventSchema.safeParse(event).error).toBeUndefined();
      }
    }
  });

  it("asks permission for a bash tool call; allowing runs it", async () => {
    model.enqueue(
      [
        {
          toolCall: {
            name: "bash",
            arguments: { command: "echo hi > hello.txt && cat hello.txt", description: "Write hello.txt" },
          },
        },
      ],
      [{ text: "The command ran." }],
    );
    const { client, inbox, sessionId } = await openSession();
    const turn = client.prompt(sessionId, text("create hello.txt"));
    const request = await inbox.waitFor(
      (i) => i.type === "request" && i.method === "session/request_permission",
    );
    if (request.type !== "request") throw new Error("unreachable");
    const [asked] = normaliseAgentMessage(request.message, { interactionIdFor: (k) => k });
    expect(asked).toMatchObject({
      type: "permission_requested",
      kind: "execute",
      rawInput: { command: expect.stringContaining("echo hi") },
    });
    const optionIds = (asked as { options: { optionId: string; kind: string }[] }).options.map((o) => o.kind);
    expect(optionIds).toEqual(expect.arrayContaining(["allow_once", "reject_once"]));

    await client.respondPermission(request.id, { outcome: "selected", optionId: "once" });
    expect((await turn).stopReason).toBe("end_turn");
    const toolCallId = (asked as { toolCallId: string }).toolCallId;
    expect(
      inbox
        .updates("tool_call_update")
        .filter((u) => u.toolCallId === toolCallId)
        .at(-1),
    ).toMatchObject({ status: "completed" });
    expect(existsSync(join(harness.workspace, "hello.txt"))).toBe(true);
  });

  it("asks permission for a write with its diff; rejecting fails the tool call", async () => {
    const filePath = join(harness.workspace, "note.txt");
    model.enqueue([
      { toolCall: { name: "write", arguments: { filePath, content: "written by the scripted model\n" } } },
    ]);
    const { client, inbox, sessionId } = await openSession();
    const turn = client.prompt(sessionId, text("write note.txt"));
    const request = await inbox.waitFor(
      (i) => i.type === "request" && i.method === "session/request_permission",
    );
    if (request.type !== "request") throw new Error("unreachable");
    const [asked] = normaliseAgentMessage(request.message, { interactionIdFor: (k) => k });
    expect(asked).toMatchObject({
      kind: "edit",
      content: [{ type: "diff", path: filePath, newText: "written by the scripted model\n" }],
    });

    await client.respondPermission(request.id, { outcome: "selected", optionId: "reject" });
    await turn;
    const toolCallId = (asked as { toolCallId: string }).toolCallId;
    expect(
      inbox
        .updates("tool_call_update")
        .filter((u) => u.toolCallId === toolCallId)
        .at(-1),
    ).toMatchObject({ status: "failed" });
    expect(existsSync(filePath)).toBe(false);
  });

  it("cancels a turn mid-stream: the prompt resolves with stopReason cancelled", async () => {
    model.enqueue({
      steps: [{ chunks: Array.from({ length: 200 }, (_, k) => `chunk${k} `) }],
      chunkDelayMs: 100,
    });
    const { client, inbox, sessionId } = await openSession();
    const turn = client.prompt(sessionId, text("stream slowly"));
    await inbox.waitFor(
      (i) => i.type === "notification" && (i.params as any)?.update?.sessionUpdate === "agent_message_chunk",
    );
    await client.cancel(sessionId);
    expect((await turn).stopReason).toBe("cancelled");
    expect(chunkText(inbox)).not.toContain("chunk199");
  });

  it("session/load on a new server id replays the history, then takes prompts again", async () => {
    model.enqueue([{ text: "First answer." }], [{ text: "Second answer." }]);
    const first = await openSession("srv-a");
    await first.client.prompt(first.sessionId, text("first question"));
    await first.client.close();

    const client = connect("srv-b");
    const inbox = new Inbox(client);
    await client.initialize();
    await client.loadSession(first.sessionId, harness.workspace);
    const loaded = await inbox.waitFor((i) => i.type === "response" && i.method === "session/load");
    const replay = inbox.items.slice(0, inbox.items.indexOf(loaded) + 1);
    const events = replay.flatMap((i) => normaliseAgentMessage(i.message, { interactionIdFor: (k) => k }));
    expect(events).toContainEqual(expect.objectContaining({ type: "user_message", text: "first question" }));
    expect(
      events
        .filter((e) => e.type === "agent_message_chunk")
        .map((e) => e.text)
        .join(""),
    ).toBe("First answer.");

    expect((await client.prompt(first.sessionId, text("second question"))).stopReason).toBe("end_turn");
    // The prompt's response comes in the POST's body, the chunks on the SSE stream: two connections,
    // so the last chunks may arrive just after the response.
    await vi.waitFor(() => expect(chunkText(inbox)).toContain("Second answer."), { timeout: 10_000 });
  });

  it("rejects with AgentExitedError when the agent process is killed", async () => {
    model.enqueue([{ hang: true }]);
    const { client, inbox, sessionId } = await openSession();
    const turn = client.prompt(sessionId, text("this will hang")).catch((e) => e);
    await model.waitForRequests(1);
    const [pid] = harness.agentPids();
    process.kill(pid!, "SIGKILL");

    expect(await turn).toBeInstanceOf(AgentExitedError);
    expect(await inbox.waitFor((i) => i.type === "agent_exited")).toMatchObject({ success: false });
    expect(client.agentExited).toBe(true);
    await expect(client.setMode(sessionId, "plan")).rejects.toBeInstanceOf(AgentExitedError);
  });

  it("resumes a dropped SSE connection with Last-Event-ID: no duplicate, no gap", async () => {
    const drops: AbortController[] = [];
    const resumedFrom: (string | null)[] = [];
    const droppingFetch: typeof fetch = (input, init) => {
      if ((init?.method ?? "GET") !== "GET") return fetch(input, init);
      const drop = new AbortController();
      drops.push(drop);
      resumedFrom.push(new Headers(init?.headers).get("last-event-id"));
      const signal = init?.signal ? AbortSignal.any([init.signal, drop.signal]) : drop.signal;
      return fetch(input, { ...init, signal });
    };
    const pieces = Array.from({ length: 30 }, (_, k) => `piece${k} `);
    model.enqueue({ steps: [{ chunks: pieces }], chunkDelayMs: 60 });
    const { client, inbox, sessionId } = await openSession("srv-drop", { fetch: droppingFetch });
    const turn = client.prompt(sessionId, text("stream"));
    // opencode may merge deltas that arrive close together, so wait on the text, not a chunk.
    await inbox.waitFor(() => chunkText(inbox).includes("piece5 "));
    const seen = client.lastEventId;
    drops[0]!.abort(); // the connection drops mid-turn; the client must reconnect on its own

    expect((await turn).stopReason).toBe("end_turn");
    await inbox.waitFor((i) => i.type === "response" && i.method === "session/prompt");
    expect(resumedFrom[0]).toBeNull();
    expect(Number(resumedFrom[1])).toBeGreaterThanOrEqual(seen!);
    const ids = inbox.items.map((i) => Number(i.eventId));
    expect(ids).toEqual(ids.map((_, k) => ids[0]! + k));
    expect(chunkText(inbox)).toBe(pieces.join(""));
  });

  it("re-attaches a second client with lastEventId: it gets only what follows, no replay", async () => {
    model.enqueue([{ text: "Before the hand-over." }], [{ text: "After the hand-over." }]);
    const first = await openSession("srv-shared");
    await first.client.prompt(first.sessionId, text("one"));
    await first.inbox.waitFor((i) => i.type === "response" && i.method === "session/prompt");
    const handOver = first.client.lastEventId!;

    // A new replica takes over the same ACP server, resuming from the persisted SSE id.
    const second = connect("srv-shared", { lastEventId: handOver });
    const inbox = new Inbox(second);
    second.start();
    expect((await second.prompt(first.sessionId, text("two"))).stopReason).toBe("end_turn");
    const end = await inbox.waitFor((i) => i.type === "response" && i.method === "session/prompt");
    expect(Number(inbox.items[0]!.eventId)).toBe(handOver + 1);
    expect(chunkText(inbox)).toBe("After the hand-over.");
    expect(end.eventId).toBe(String(second.lastEventId));
  });

  it("close() returns, and the opencode process exits", async () => {
    const { client } = await openSession();
    const agents = harness.agentPids();
    expect(agents).toHaveLength(1);
    await client.close();
    // The agent exits once its stdin closes; poll its process without timing anything.
    for (let k = 0; k < 200 && agents.some(isAlive); k++) await new Promise((r) => setTimeout(r, 50));
    expect(agents.filter(isAlive)).toEqual([]);
  });
});
