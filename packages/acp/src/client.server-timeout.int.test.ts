// sandbox-agent 0.4.2 defect, against the REAL server: a POST that outlives
// SANDBOX_AGENT_ACP_REQUEST_TIMEOUT_MS never gets its JSON-RPC response in the POST body; the
// response still arrives on SSE. The studio runs the server with a huge timeout, but the client
// must not depend on that: here the server's timeout is shorter than the turn.

import { type ScriptedModelServer, startScriptedModelServer } from "@studio/testkit";
import { afterEach, beforeEach, expect, it } from "vitest";
import { Inbox } from "../test/inbox.ts";
import { type SandboxAgentHarness, startSandboxAgent } from "../test/sandbox-agent-harness.ts";
import { AcpClient } from "./client.ts";

const TIMEOUT = 180_000;
let model: ScriptedModelServer;
let harness: SandboxAgentHarness;
let client: AcpClient;

beforeEach(async () => {
  model = await startScriptedModelServer();
  // initialize and session/new must fit in the timeout, so it cannot be tiny on a loaded machine.
  harness = await startSandboxAgent({ modelUrl: model.url, acpRequestTimeoutMs: 40_000 });
}, TIMEOUT);
afterEach(async () => {
  await client?.close();
  await harness?.stop();
  await model?.close();
}, TIMEOUT);

it("resolves a prompt that outlives the server's request timeout from the SSE copy", {
  timeout: TIMEOUT,
}, async () => {
  const pieces = Array.from({ length: 100 }, (_, k) => `p${k} `);
  model.enqueue({ steps: [{ chunks: pieces }], chunkDelayMs: 500 }); // at least 50 s of streaming
  client = new AcpClient({ baseUrl: harness.baseUrl, token: harness.token, serverId: "srv-timeout" });
  const inbox = new Inbox(client);
  await client.initialize();
  const { sessionId } = await client.newSession(harness.workspace);

  const result = await client.prompt(sessionId, [{ type: "text", text: "stream for a long time" }]);
  expect(result.stopReason).toBe("end_turn");
  expect(
    inbox
      .updates("agent_message_chunk")
      .map((u) => u.content?.text ?? "")
      .join(""),
  ).toBe(pieces.join(""));
});
