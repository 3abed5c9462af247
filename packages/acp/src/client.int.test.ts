// AcpClient against the REAL sandbox-agent 0.4.2 and the REAL opencode 1.18.33, with the scripted
// model server as the only model endpoint. An OpenCode start (initialize + session/new) is the
// costliest thing here, and one agent process hosts many ACP sessions, so the tests that only need
// a session of their own share one sandbox-agent and one agent process (ACP server `srv-shared`):
// each opens its own session, scripts its replies under its own marker and looks only at that
// session's updates. The tests that kill or close their agent get a sandbox-agent of their own, so
// neither can leak into another test; the closed one's session is then loaded by a second agent
// process, on a new server id, as after a restart.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type ScriptedModelServer, type ScriptedReply, startScriptedModelServer } from "@studio/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Inbox, type SessionUpdate } from "../test/inbox.ts";
import { isAlive, type SandboxAgentHarness, startSandboxAgent } from "../test/sandbox-agent-harness.ts";
import { AcpClient, type AcpClientOptions } from "./client.ts";
import { AgentExitedError } from "./errors.ts";
import { studioEventSchema } from "./events.ts";
import { normaliseAgentMessage } from "./normalise.ts";
import type { AcpInbound } from "./types.ts";

const TIMEOUT = 180_000;
const SHARED = "srv-shared";
// Set by whichever describe block is running: the shared pair, or a test's own.
let model: ScriptedModelServer;
let harness: SandboxAgentHarness;
const clients: AcpClient[] = [];
// ACP_TEST_LOG=1 prints the client's own log (reconnects, dropped POSTs) while debugging.
const print = (level: string) => (fields: unknown, message: string) =>
  console.log(`[acp ${level}] ${message} ${JSON.stringify(fields)}`);
const logger = process.env.ACP_TEST_LOG
  ? { debug: print("debug"), info: print("info"), warn: print("warn"), error: print("error") }
  : undefined;

// Clients of the shared agent only detach: closing one would end the agent the next test uses.
async function releaseClients() {
  await Promise.all(clients.splice(0).map((c) => (c.serverId === SHARED ? c.detach() : c.close())));
}

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
async function openSession(serverId = SHARED, extra: Partial<AcpClientOptions> = {}) {
  const client = connect(serverId, extra);
  const inbox = new Inbox(client);
  const init = await client.initialize();
  const { sessionId } = await client.newSession(harness.workspace);
  return { client, inbox, init, sessionId };
}

// The shared model server answers a call from the replies scripted for the marker its prompt
// carries (the whole conversation is in every call), so a reply one test left unused, or a turn
// still running after a failure, never answers another test's call.
const scripts = new Map<string, ScriptedReply[]>();
function script(marker: string, ...replies: ScriptedReply[]) {
  scripts.set(marker, replies);
}
const replyFor = ({ rawBody }: { rawBody: string }) =>
  [...scripts].find(([marker]) => rawBody.includes(marker))?.[1].shift();

function text(value: string) {
  return [{ type: "text" as const, text: value }];
}

/** True for an agent message about this session (every session's come on the shared stream). */
const about = (sessionId: string) => (item: AcpInbound) =>
  "params" in item && (item.params as { sessionId?: string } | undefined)?.sessionId === sessionId;

/** One session's updates of one kind, in order. */
function updates(inbox: Inbox, sessionId: string, kind: string): SessionUpdate[] {
  return inbox.items.filter(about(sessionId)).flatMap((item) => {
    const update =
      item.type === "notification" ? (item.params as { update?: SessionUpdate }).update : undefined;
    return update?.sessionUpdate === kind ? [update] : [];
  });
}

function chunkText(inbox: Inbox, sessionId: string): string {
  return updates(inbox, sessionId, "agent_message_chunk")
    .map((u) => u.content?.text ?? "")
    .join("");
}

/** The session's last update of a tool call. */
const lastToolUpdate = (inbox: Inbox, sessionId: string, toolCallId: string) =>
  updates(inbox, sessionId, "tool_call_update")
    .filter((u) => u.toolCallId === toolCallId)
    .at(-1);

describe("AcpClient against sandbox-agent + opencode, sessions on one agent", { timeout: TIMEOUT }, () => {
  // The agent starts with the first test's initialize (the running agent answers later ones) and
  // lives until afterAll. A client without lastEventId gets the shared stream's whole buffer first,
  // other sessions' messages included.
  beforeAll(async () => {
    model = await startScriptedModelServer({ replyFor });
    harness = await startSandboxAgent({ modelUrl: model.url });
  }, TIMEOUT);
  afterEach(releaseClients, TIMEOUT);
  afterAll(async () => {
    await harness?.stop();
    await model?.close();
  }, TIMEOUT);

  it("initializes, opens a session and streams a text reply as chunks", async () => {
    const reply = "Hello from the scripted model, streamed in several small chunks.";
    script("[acp-text]", [{ text: reply, chunkSize: 8 }]);
    const { client, inbox, init, sessionId } = await openSession();
    expect(init).toMatchObject({ protocolVersion: 1, agentInfo: { name: "OpenCode" } });
    expect(sessionId).toMatch(/^ses_/);

    const result = await client.prompt(sessionId, text("[acp-text] say hello"));
    expect(result.stopReason).toBe("end_turn");
    // The SSE copy of the prompt's response comes after every update of the turn.
    const end = await inbox.waitFor((i) => i.type === "response" && i.method === "session/prompt");
    const before = inbox.items.slice(0, inbox.items.indexOf(end));
    expect(updates(inbox, sessionId, "agent_message_chunk").length).toBeGreaterThan(1);
    expect(chunkText(inbox, sessionId)).toBe(reply);

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
    script(
      "[acp-bash]",
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
    const turn = client.prompt(sessionId, text("[acp-bash] create hello.txt"));
    const request = await inbox.waitFor(
      (i) => i.type === "request" && i.method === "session/request_permission" && about(sessionId)(i),
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
    expect(lastToolUpdate(inbox, sessionId, toolCallId)).toMatchObject({ status: "completed" });
    expect(existsSync(join(harness.workspace, "hello.txt"))).toBe(true);
  });

  it("asks permission for a write with its diff; rejecting fails the tool call", async () => {
    const filePath = join(harness.workspace, "note.txt");
    script("[acp-write]", [
      { toolCall: { name: "write", arguments: { filePath, content: "written by the scripted model\n" } } },
    ]);
    const { client, inbox, sessionId } = await openSession();
    const turn = client.prompt(sessionId, text("[acp-write] write note.txt"));
    const request = await inbox.waitFor(
      (i) => i.type === "request" && i.method === "session/request_permission" && about(sessionId)(i),
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
    expect(lastToolUpdate(inbox, sessionId, toolCallId)).toMatchObject({ status: "failed" });
    expect(existsSync(filePath)).toBe(false);
  });

  it("cancels a turn mid-stream: the prompt resolves with stopReason cancelled", async () => {
    script("[acp-cancel]", {
      steps: [{ chunks: Array.from({ length: 200 }, (_, k) => `chunk${k} `) }],
      chunkDelayMs: 100,
    });
    const { client, inbox, sessionId } = await openSession();
    const turn = client.prompt(sessionId, text("[acp-cancel] stream slowly"));
    await inbox.waitFor(
      (i) =>
        i.type === "notification" &&
        about(sessionId)(i) &&
        (i.params as any)?.update?.sessionUpdate === "agent_message_chunk",
    );
    await client.cancel(sessionId);
    expect((await turn).stopReason).toBe("cancelled");
    expect(chunkText(inbox, sessionId)).not.toContain("chunk199");
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
    script("[acp-drop]", { steps: [{ chunks: pieces }], chunkDelayMs: 60 });
    const { client, inbox, sessionId } = await openSession(SHARED, { fetch: droppingFetch });
    const turn = client.prompt(sessionId, text("[acp-drop] stream"));
    // opencode may merge deltas that arrive close together, so wait on the text, not a chunk.
    await inbox.waitFor(() => chunkText(inbox, sessionId).includes("piece5 "));
    const seen = client.lastEventId;
    drops[0]!.abort(); // the connection drops mid-turn; the client must reconnect on its own

    expect((await turn).stopReason).toBe("end_turn");
    await inbox.waitFor((i) => i.type === "response" && i.method === "session/prompt");
    expect(resumedFrom[0]).toBeNull();
    expect(Number(resumedFrom[1])).toBeGreaterThanOrEqual(seen!);
    const ids = inbox.items.map((i) => Number(i.eventId));
    expect(ids).toEqual(ids.map((_, k) => ids[0]! + k));
    expect(chunkText(inbox, sessionId)).toBe(pieces.join(""));
  });

  it("re-attaches a second client with lastEventId: it gets only what follows, no replay", async () => {
    script("[acp-handover]", [{ text: "Before the hand-over." }], [{ text: "After the hand-over." }]);
    const first = await openSession();
    await first.client.prompt(first.sessionId, text("[acp-handover] one"));
    await first.inbox.waitFor((i) => i.type === "response" && i.method === "session/prompt");
    const handOver = first.client.lastEventId!;

    // A new replica takes over the same ACP server, resuming from the persisted SSE id.
    const second = connect(SHARED, { lastEventId: handOver });
    const inbox = new Inbox(second);
    second.start();
    expect((await second.prompt(first.sessionId, text("[acp-handover] two"))).stopReason).toBe("end_turn");
    const end = await inbox.waitFor((i) => i.type === "response" && i.method === "session/prompt");
    expect(Number(inbox.items[0]!.eventId)).toBe(handOver + 1);
    expect(chunkText(inbox, first.sessionId)).toBe("After the hand-over.");
    expect(end.eventId).toBe(String(second.lastEventId));
  });
});

describe("AcpClient against sandbox-agent + opencode, an agent of its own", { timeout: TIMEOUT }, () => {
  // A fresh model server and sandbox-agent per test: these end their agent process.
  beforeEach(async () => {
    model = await startScriptedModelServer();
    harness = await startSandboxAgent({ modelUrl: model.url });
  }, TIMEOUT);
  afterEach(async () => {
    await releaseClients();
    await harness?.stop();
    await model?.close();
  }, TIMEOUT);

  it("rejects with AgentExitedError when the agent process is killed", async () => {
    model.enqueue([{ hang: true }]);
    const { client, inbox, sessionId } = await openSession("srv-main");
    const turn = client.prompt(sessionId, text("this will hang")).catch((e) => e);
    await model.waitForRequests(1);
    const [pid] = harness.agentPids();
    process.kill(pid!, "SIGKILL");

    expect(await turn).toBeInstanceOf(AgentExitedError);
    expect(await inbox.waitFor((i) => i.type === "agent_exited")).toMatchObject({ success: false });
    expect(client.agentExited).toBe(true);
    await expect(client.setMode(sessionId, "plan")).rejects.toBeInstanceOf(AgentExitedError);
  });

  it("close() returns and the opencode process exits; session/load on a new server id replays the history, then takes prompts again", async () => {
    model.enqueue([{ text: "First answer." }], [{ text: "Second answer." }]);
    const first = await openSession("srv-main");
    await first.client.prompt(first.sessionId, text("first question"));
    const agents = harness.agentPids();
    expect(agents).toHaveLength(1);
    await first.client.close();
    // The agent exits once its stdin closes; poll its process without timing anything.
    for (let k = 0; k < 200 && agents.some(isAlive); k++) await new Promise((r) => setTimeout(r, 50));
    expect(agents.filter(isAlive)).toEqual([]);

    // As after a restart: the agent that made the session is gone, a new one reads its history
    // from OpenCode's storage (the same HOME).
    const client = connect("srv-load");
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
    await vi.waitFor(() => expect(chunkText(inbox, first.sessionId)).toContain("Second answer."), {
      timeout: 10_000,
    });
  });
});
