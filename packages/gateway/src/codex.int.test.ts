// Codex for real (the pinned @openai/codex and @zed-industries/codex-acp through the real
// sandbox-agent 0.4.2) in a local sandbox, its model calls going through the studio's gateway with
// the session token, to the scripted model server speaking the OpenAI Responses API. Shown: a text
// turn, metered as reported; the platform key never in the sandbox; nothing left after stop.
import { readFileSync } from "node:fs";
import path from "node:path";
import { AcpClient } from "@studio/acp";
import { buildWorkspace, resolveAgentBinaries } from "@studio/sandbox";
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
  sandboxProcesses,
  useLocalSandboxes,
} from "./test-support/agent-sandbox.ts";
import { ORG_KEY, PLATFORM_KEY, seedSession, useGatewayFixture } from "./test-support/gateway-fixture.ts";

const TIMEOUT = 240_000;
const MODEL = "gpt-5";
const REPLY = "Hello from the scripted model, through the studio's gateway.";
const USAGE = { inputTokens: 900, outputTokens: 40, cachedTokens: 100, reasoningTokens: 10 };

const codex = resolveAgentBinaries().codex;

function replyFor(_request: RecordedRequest): ScriptedReply {
  return { steps: [{ text: REPLY, chunkSize: 10 }], usage: USAGE };
}

let model: ScriptedModelServer;
beforeAll(async () => {
  model = await startScriptedModelServer({ expectedKey: PLATFORM_KEY, replyFor });
});
const database = useTestDatabase();
const fixture = useGatewayFixture(database, () => ({
  upstreams: { openai: { baseUrl: model.url, apiKey: PLATFORM_KEY } },
}));

const sandboxes = useLocalSandboxes(() => fixture.url, "studio-codex-", TIMEOUT);
afterAll(async () => {
  await model?.close();
});

describe.skipIf(!codex)("Codex in a local sandbox, through the gateway", { timeout: TIMEOUT }, () => {
  it("streams a text turn, metered; no key in the sandbox; nothing outlives it", async () => {
    const { token, session } = await seedSession(database.db, fixture.keyring, {
      provider: "openai",
      model: MODEL,
      keySource: "platform",
      creditsMicroUsd: 100_000_000n,
    });
    const workspace = buildWorkspace({
      agent: "codex",
      provider: "openai",
      model: MODEL,
      gateway: { baseUrl: fixture.url, token },
      directKey: { apiKey: PLATFORM_KEY },
      toolPermissions: "ask",
    });
    const handle = await sandboxes.provider.create({
      sessionId: session.id,
      env: workspace.env,
      files: workspace.files,
    });
    const client = new AcpClient({
      baseUrl: handle.agentUrl,
      token: handle.agentToken,
      ...(handle.agentFetch ? { fetch: handle.agentFetch } : {}),
      serverId: "srv-codex",
      agent: "codex",
    });
    const inbox = collect(client);
    const agentLog = () =>
      readFileSync(path.join(sandboxes.provider.rootDir, handle.id, "agent.log"), "utf8").slice(-4000);
    const result = await (async () => {
      await client.initialize({ timeoutMs: 120_000 });
      const { sessionId } = await client.newSession(handle.workspaceDir, [], { timeoutMs: 120_000 });
      return { sessionId, ...(await client.prompt(sessionId, [{ type: "text", text: "say hello" }])) };
    })().catch((error: Error & { data?: unknown }) => {
      // What Codex said is in sandbox-agent's log: without it a failure reads "Internal error".
      throw new Error(`${error.message} ${JSON.stringify(error.data ?? null)}\n${agentLog()}`);
    });
    expect(result.stopReason).toBe("end_turn");
    await inbox.waitFor((i) => i.type === "response" && i.method === "session/prompt");
    expect(inbox.text()).toContain(REPLY);

    const calls = model.requests.filter((r) => r.format === "responses");
    expect(calls.length).toBeGreaterThanOrEqual(1);
    for (const call of calls) {
      expect(call.path).toBe("/v1/responses");
      expect(call.headers.authorization).toBe(`Bearer ${PLATFORM_KEY}`);
      expect(call.model).toBe(MODEL);
    }
    await fixture.gateway.settled();
    const entries = await database.db.ledgerEntry.findMany({ where: { sessionId: session.id } });
    expect(entries).toHaveLength(calls.length);
    for (const entry of entries) {
      expect({ input: entry.inputTokens, output: entry.outputTokens }).toEqual({
        input: USAGE.inputTokens,
        output: USAGE.outputTokens,
      });
    }

    expect(
      filesContaining(path.join(sandboxes.provider.rootDir, handle.id), [PLATFORM_KEY, ORG_KEY]),
    ).toEqual([]);
    const processes = sandboxProcesses(handle.id);
    expect(processes.some((p) => p.cmdline.includes("codex-acp"))).toBe(true);
    for (const proc of processes) expect(proc.environ + proc.cmdline).not.toContain(PLATFORM_KEY);

    await client.close();
    await sandboxes.provider.destroy(handle.id);
    expect(sandboxProcesses(handle.id)).toEqual([]);
  });
});
