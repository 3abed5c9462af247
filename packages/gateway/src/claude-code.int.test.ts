// Claude Code for real (the pinned @anthropic-ai/claude-code and @zed-industries/claude-agent-acp
// through the real sandbox-agent 0.4.2) in a local sandbox, its every model call going through the
// studio's gateway with the session token, to the scripted model server speaking Anthropic
// Messages. Shown: a text turn and a shell tool call answered through ACP; each call metered into
// the ledger as the model reported it; the platform key never in the sandbox; and after stop no
// process of the agent left (claude-agent-acp ignores its stdin closing).
import path from "node:path";
import { AcpClient } from "@studio/acp";
import { buildWorkspace, resolveAgentBinaries, type SandboxHandle } from "@studio/sandbox";
import {
  type RecordedRequest,
  type ScriptedModelServer,
  type ScriptedReply,
  startScriptedModelServer,
} from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collect,
  filesContaining,
  processState,
  sandboxProcesses,
  useLocalSandboxes,
} from "./test-support/agent-sandbox.ts";
import { ORG_KEY, PLATFORM_KEY, seedSession, useGatewayFixture } from "./test-support/gateway-fixture.ts";

const TIMEOUT = 240_000;
const MODEL = "claude-sonnet-4-6";
const REPLY = "Hello from the scripted model, through the studio's gateway.";
const TOOL_MARKER = "RUN_A_COMMAND";
const MAIN_USAGE = { inputTokens: 1200, outputTokens: 60, cachedTokens: 200 };
// Claude Code's own small calls (no tools): answered, metered like any other.
const SIDE_USAGE = { inputTokens: 30, outputTokens: 5 };

const claude = resolveAgentBinaries().claude;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function hasTools(request: RecordedRequest): boolean {
  return isObject(request.body) && Array.isArray(request.body.tools) && request.body.tools.length > 0;
}

function messagesText(request: RecordedRequest): string {
  return isObject(request.body) ? JSON.stringify(request.body.messages ?? []) : "";
}

/** A deterministic model: the same call (Claude Code may repeat one) gets the same answer. */
function replyFor(request: RecordedRequest): ScriptedReply {
  if (!hasTools(request)) return { steps: [{ text: "ok" }], usage: SIDE_USAGE };
  const history = messagesText(request);
  if (history.includes('"tool_result"'))
    return { steps: [{ text: "The command printed hi." }], usage: MAIN_USAGE };
  if (history.includes(TOOL_MARKER)) {
    return {
      steps: [
        {
          toolCall: {
            name: "Bash",
            arguments: { command: "echo hi > hello.txt && cat hello.txt", description: "Write hello.txt" },
          },
        },
      ],
      usage: MAIN_USAGE,
    };
  }
  return { steps: [{ text: REPLY, chunkSize: 10 }], usage: MAIN_USAGE };
}

let model: ScriptedModelServer;
// Started before the gateway fixture's own hook, which takes it as the Anthropic upstream.
beforeAll(async () => {
  model = await startScriptedModelServer({ expectedKey: PLATFORM_KEY, replyFor });
});
const database = useTestDatabase();
const fixture = useGatewayFixture(database, () => ({
  upstreams: { anthropic: { baseUrl: model.url, apiKey: PLATFORM_KEY } },
}));

const sandboxes = useLocalSandboxes(() => fixture.url, "studio-claude-", TIMEOUT);
afterAll(async () => {
  await model?.close();
});

async function startClaude(sessionId: string, token: string) {
  const workspace = buildWorkspace({
    agent: "claude",
    provider: "anthropic",
    model: MODEL,
    gateway: { baseUrl: fixture.url, token },
    // Ignored in gateway mode: passed to show it never reaches the sandbox.
    directKey: { apiKey: PLATFORM_KEY },
    toolPermissions: "ask",
  });
  const handle: SandboxHandle = await sandboxes.provider.create({
    sessionId,
    env: workspace.env,
    files: workspace.files,
  });
  const client = new AcpClient({
    baseUrl: handle.agentUrl,
    token: handle.agentToken,
    ...(handle.agentFetch ? { fetch: handle.agentFetch } : {}),
    serverId: "srv-claude",
    agent: "claude",
  });
  const inbox = collect(client);
  const init = await client.initialize({ timeoutMs: 120_000 });
  const { sessionId: agentSessionId } = await client.newSession(handle.workspaceDir, [], {
    timeoutMs: 120_000,
  });
  return { handle, client, inbox, init, agentSessionId };
}

async function seed() {
  return seedSession(database.db, fixture.keyring, {
    provider: "anthropic",
    model: MODEL,
    keySource: "platform",
    creditsMicroUsd: 100_000_000n,
  });
}

describe.skipIf(!claude)("Claude Code in a local sandbox, through the gateway", { timeout: TIMEOUT }, () => {
  it("streams a text turn; every call is metered; no key in the sandbox; nothing outlives it", async () => {
    const { token, session } = await seed();
    const before = model.requests.length;
    const { handle, client, inbox, init, agentSessionId } = await startClaude(session.id, token);
    expect(init).toMatchObject({ agentInfo: { name: "@zed-industries/claude-agent-acp" } });
    // The pinned Claude Code runs, not the older one inside the adapter's Agent SDK.
    expect(claude!.adapterEnv).toEqual({ CLAUDE_CODE_EXECUTABLE: claude!.cli });

    const result = await client.prompt(agentSessionId, [{ type: "text", text: "say hello" }]);
    expect(result.stopReason).toBe("end_turn");
    // The SSE copy of the prompt's response comes after every update of the turn.
    await inbox.waitFor((i) => i.type === "response" && i.method === "session/prompt");
    expect(inbox.text()).toContain(REPLY);

    // What reached the provider: Claude Code's Messages calls, with the platform key the gateway put
    // in place of the session token, for the session's model or its provider's small model only.
    const calls = model.requests.slice(before).filter((r) => r.format === "anthropic");
    expect(calls.filter(hasTools).length).toBeGreaterThanOrEqual(1);
    for (const call of calls) {
      expect(call.path).toBe("/v1/messages");
      expect(call.headers["x-api-key"]).toBe(PLATFORM_KEY);
      expect([MODEL, "claude-haiku-4-5"]).toContain(call.model);
    }

    // Metered: one ledger entry per call, with exactly the tokens the model reported.
    await fixture.gateway.settled();
    const entries = await database.db.ledgerEntry.findMany({ where: { sessionId: session.id } });
    expect(entries).toHaveLength(calls.length);
    const expected = calls.map((call) => (hasTools(call) ? MAIN_USAGE : SIDE_USAGE));
    const sum = (values: Array<number | bigint | null>) =>
      values.reduce<number>((a, b) => a + Number(b ?? 0), 0);
    expect(sum(entries.map((e) => e.inputTokens))).toBe(sum(expected.map((u) => u.inputTokens)));
    expect(sum(entries.map((e) => e.outputTokens))).toBe(sum(expected.map((u) => u.outputTokens)));

    // The planted keys are nowhere in the sandbox: not in its files, environment or arguments.
    const sandboxDir = path.join(sandboxes.provider.rootDir, handle.id);
    expect(filesContaining(sandboxDir, [PLATFORM_KEY, ORG_KEY])).toEqual([]);
    const processes = sandboxProcesses(handle.id);
    const adapter = processes.filter((p) => p.cmdline.includes(claude!.adapter.at(-1)!));
    expect(adapter.length).toBeGreaterThan(0);
    expect(processes.some((p) => p.cmdline.startsWith(claude!.cli))).toBe(true);
    for (const proc of processes) {
      expect(proc.environ).not.toContain(PLATFORM_KEY);
      expect(proc.cmdline).not.toContain(PLATFORM_KEY);
    }
    // The session token is the one credential, and it is where Claude Code reads it.
    expect(adapter[0]!.environ.split("\0")).toContain(`ANTHROPIC_API_KEY=${token}`);

    // Closing the ACP server does not end claude-agent-acp; stopping the sandbox does.
    await client.close();
    await sandboxes.provider.destroy(handle.id);
    expect(sandboxProcesses(handle.id)).toEqual([]);
    // Gone, or a zombie its parent (this test, for the server it spawned) has not reaped yet.
    for (const { pid } of processes) expect(["gone", "Z"]).toContain(processState(pid));
  });

  it("asks before running a shell command; allowed, it runs", async () => {
    const { token, session } = await seed();
    const { handle, client, inbox, agentSessionId } = await startClaude(session.id, token);
    const turn = client.prompt(agentSessionId, [{ type: "text", text: `${TOOL_MARKER} please` }]);
    const request = await inbox.waitFor(
      (i) => i.type === "request" && i.method === "session/request_permission",
    );
    if (request.type !== "request") throw new Error("unreachable");
    const options = (request.params as { options: Array<{ optionId: string; kind: string }> }).options;
    expect(options.map((o) => o.kind)).toEqual(expect.arrayContaining(["allow_once", "reject_once"]));
    const allow = options.find((o) => o.kind === "allow_once")!;
    await client.respondPermission(request.id, { outcome: "selected", optionId: allow.optionId });
    expect((await turn).stopReason).toBe("end_turn");
    await inbox.waitFor((i) => i.type === "response" && i.method === "session/prompt");
    expect((await sandboxes.provider.runCommand(handle.id, "cat hello.txt")).stdout).toBe("hi\n");
    expect(inbox.text()).toContain("The command printed hi.");

    await client.close();
    await sandboxes.provider.destroy(handle.id);
    expect(sandboxProcesses(handle.id)).toEqual([]);
  });
});
