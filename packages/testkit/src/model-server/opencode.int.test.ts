import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ScriptedModelServer, startScriptedModelServer, type WireFormat } from "./index.ts";
import { cleanupRun, type OpencodeRun, runOpencode } from "./test-support/opencode.ts";

// Each `opencode run` takes about 6-15 s here (process start, session, title and main requests), so
// the text-only and tool-only turns are run for the two OpenAI formats, and a single combined turn
// (reasoning, text, tool call, follow-up) for Anthropic and Google.
const RUN_TIMEOUT = 120_000;

let server: ScriptedModelServer;
let run: OpencodeRun | undefined;

beforeEach(async () => {
  server = await startScriptedModelServer();
  run = undefined;
});
afterEach(async (ctx) => {
  if (run && ctx.task.result?.state === "fail") {
    console.error(`opencode exit ${run.exitCode}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`);
  }
  if (run) cleanupRun(run);
  await server.close();
});

/** The text of the tool result the follow-up request carried for `callId` (Google: by tool name). */
function toolResultIn(
  format: WireFormat,
  body: unknown,
  callId: string,
  toolName: string,
): string | undefined {
  const b = body as Record<string, any>;
  switch (format) {
    case "chat-completions":
      return b.messages?.find((m: any) => m.role === "tool" && m.tool_call_id === callId)?.content;
    case "responses":
      return b.input?.find((i: any) => i.type === "function_call_output" && i.call_id === callId)?.output;
    case "anthropic": {
      const blocks = (b.messages ?? []).flatMap((m: any) => (Array.isArray(m.content) ? m.content : []));
      const result = blocks.find((c: any) => c.type === "tool_result" && c.tool_use_id === callId);
      return typeof result?.content === "string" ? result.content : JSON.stringify(result?.content);
    }
    case "google": {
      const parts = (b.contents ?? []).flatMap((c: any) => c.parts ?? []);
      const response = parts.find((p: any) => p.functionResponse?.name === toolName)?.functionResponse
        .response;
      return response === undefined ? undefined : JSON.stringify(response);
    }
  }
}

const partsOf = (type: string) => run!.events.filter((e) => e.type === type).map((e) => e.part);

async function expectTitleAnsweredAside(format: WireFormat) {
  const titles = server.requests.filter((r) => r.isTitle);
  expect(titles).toHaveLength(1);
  expect(server.requests.every((r) => r.format === format && r.authorized)).toBe(true);
  expect(server.queued).toBe(0);
}

// OpenCode asks for the title beside the first turn without waiting for it, and `opencode run` exits
// when the turn ends: each turn's first reply waits for the title request so that it is always sent.
const AWAIT_TITLE = { awaitTitleMs: 30_000 };

async function textTurn(format: WireFormat) {
  server.enqueue([
    AWAIT_TITLE,
    { reasoning: "The user wants a greeting." },
    { text: "Hello from the scripted model!" },
  ]);
  run = await runOpencode({ format, serverUrl: server.url, prompt: "Say hello" });
  expect(run.exitCode).toBe(0);
  expect(partsOf("text").map((p) => p.text)).toEqual(["Hello from the scripted model!"]);
  expect(partsOf("reasoning").map((p) => p.text)).toEqual(["The user wants a greeting."]);
  await expectTitleAnsweredAside(format);
  expect(server.requests.filter((r) => !r.isTitle)).toHaveLength(1);
  const finish = partsOf("step_finish")[0];
  expect(finish.reason).toBe("stop");
  expect(finish.tokens.output).toBeGreaterThan(0);
}

async function toolTurn(format: WireFormat, withReasoning: boolean) {
  const callId = "call_scripted_1";
  const command = "echo tool-ran > marker.txt && echo wrote-marker";
  server.enqueue(
    [
      AWAIT_TITLE,
      ...(withReasoning ? [{ reasoning: "I should write the marker file." }] : []),
      { text: "Writing the marker." },
      { toolCall: { id: callId, name: "bash", arguments: { command, description: "Write a marker file" } } },
    ],
    [{ text: "The marker is written." }],
  );
  run = await runOpencode({ format, serverUrl: server.url, prompt: "Write the marker file" });
  expect(run.exitCode).toBe(0);

  expect(existsSync(join(run.projectDir, "marker.txt"))).toBe(true);
  expect(readFileSync(join(run.projectDir, "marker.txt"), "utf8")).toBe("tool-ran\n");
  const tool = partsOf("tool_use")[0];
  expect(tool).toMatchObject({ tool: "bash", state: { status: "completed", input: { command } } });

  const main = server.requests.filter((r) => !r.isTitle);
  expect(main).toHaveLength(2);
  expect(toolResultIn(format, main[1]!.body, callId, "bash")).toContain("wrote-marker");
  expect(partsOf("text").map((p) => p.text)).toEqual(["Writing the marker.", "The marker is written."]);
  if (withReasoning)
    expect(partsOf("reasoning").map((p) => p.text)).toEqual(["I should write the marker file."]);
  await expectTitleAnsweredAside(format);
}

describe("real OpenCode against the scripted model server", () => {
  it(
    "chat completions: prints the scripted text and reasoning",
    () => textTurn("chat-completions"),
    RUN_TIMEOUT,
  );

  it(
    "chat completions: runs a scripted bash call and sends its result back",
    () => toolTurn("chat-completions", false),
    RUN_TIMEOUT,
  );

  it("responses: prints the scripted text and reasoning", () => textTurn("responses"), RUN_TIMEOUT);

  it(
    "responses: runs a scripted bash call and sends its result back",
    () => toolTurn("responses", false),
    RUN_TIMEOUT,
  );

  it(
    "anthropic: reasoning, text, a bash call and its follow-up",
    () => toolTurn("anthropic", true),
    RUN_TIMEOUT,
  );

  it("google: reasoning, text, a bash call and its follow-up", () => toolTurn("google", true), RUN_TIMEOUT);
});
