import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type RecordedRequest,
  type ScriptedModelServer,
  startScriptedModelServer,
  type WireFormat,
} from "./index.ts";
import { type OpencodeServer, type OpencodeTurn, startOpencodeServer } from "./test-support/opencode.ts";

// One real OpenCode (`opencode serve`) for the whole file: a start costs seconds of CPU, a prompt to
// a running one far less. Each test opens a new session in its format's project (the same
// opencode.json an `opencode run` there would load) and prompts it once. The text-only and
// tool-only turns are run for the two OpenAI formats, and a single combined turn (reasoning, text,
// tool call, follow-up) for Anthropic and Google.
const RUN_TIMEOUT = 120_000;

let server: ScriptedModelServer;
let opencode: OpencodeServer;
let turn: OpencodeTurn | undefined;
/** The requests the current test caused: those after this many. */
let mark = 0;

beforeAll(async () => {
  server = await startScriptedModelServer();
  opencode = await startOpencodeServer({ serverUrl: server.url });
}, RUN_TIMEOUT);
afterAll(async () => {
  await opencode?.stop();
  await server?.close();
});
afterEach((ctx) => {
  if (ctx.task.result?.state === "fail") {
    console.error(
      `--- session\n${JSON.stringify(turn?.messages, null, 2)}\n--- opencode\n${opencode.output()}`,
    );
  }
  turn = undefined;
});

const requests = (): RecordedRequest[] => server.requests.slice(mark);

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

// The part types `opencode run --format json` prints as text, reasoning, tool_use and step_finish.
const partsOf = (type: "text" | "reasoning" | "tool" | "step-finish") =>
  turn!.parts.filter((part) => part.type === type);

/** A new session in the format's project, prompted once; OpenCode recorded no error. */
async function prompt(format: WireFormat, text: string) {
  mark = server.requests.length;
  turn = await opencode.prompt(format, text);
  expect(turn.errors).toEqual([]);
}

async function expectTitleAnsweredAside(format: WireFormat) {
  // OpenCode asks for the title beside the session's first turn without waiting for it: it may
  // come after the turn is over.
  await vi.waitFor(() => expect(requests().filter((r) => r.isTitle)).toHaveLength(1), { timeout: 30_000 });
  expect(requests().every((r) => r.format === format && r.authorized)).toBe(true);
  expect(server.queued).toBe(0);
}

async function textTurn(format: WireFormat) {
  server.enqueue([{ reasoning: "The user wants a greeting." }, { text: "Hello from the scripted model!" }]);
  await prompt(format, "Say hello");
  expect(partsOf("text").map((p) => p.text)).toEqual(["Hello from the scripted model!"]);
  expect(partsOf("reasoning").map((p) => p.text)).toEqual(["The user wants a greeting."]);
  await expectTitleAnsweredAside(format);
  expect(requests().filter((r) => !r.isTitle)).toHaveLength(1);
  const finish = partsOf("step-finish")[0];
  expect(finish.reason).toBe("stop");
  expect(finish.tokens.output).toBeGreaterThan(0);
}

async function toolTurn(format: WireFormat, withReasoning: boolean) {
  const callId = "call_scripted_1";
  const command = "echo tool-ran > marker.txt && echo wrote-marker";
  server.enqueue(
    [
      ...(withReasoning ? [{ reasoning: "I should write the marker file." }] : []),
      { text: "Writing the marker." },
      { toolCall: { id: callId, name: "bash", arguments: { command, description: "Write a marker file" } } },
    ],
    [{ text: "The marker is written." }],
  );
  await prompt(format, "Write the marker file");

  // No other test runs a tool in this format's project: the marker is this turn's.
  expect(existsSync(join(turn!.projectDir, "marker.txt"))).toBe(true);
  expect(readFileSync(join(turn!.projectDir, "marker.txt"), "utf8")).toBe("tool-ran\n");
  const tool = partsOf("tool")[0];
  expect(tool).toMatchObject({ tool: "bash", state: { status: "completed", input: { command } } });

  const main = requests().filter((r) => !r.isTitle);
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
