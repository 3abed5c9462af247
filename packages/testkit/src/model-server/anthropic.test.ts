import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ScriptedModelServer, startScriptedModelServer } from "./index.ts";
import { json, parseSse, post, requestBodies, sseJson, TITLE_SYSTEM } from "./test-support/http.ts";

let server: ScriptedModelServer;
const url = () => `${server.url}/v1/messages`;
const headers = { authorization: "", "x-api-key": "k", "anthropic-version": "2023-06-01" };

beforeEach(async () => {
  server = await startScriptedModelServer();
});
afterEach(async () => {
  await server.close();
});

async function streamed(body: Record<string, unknown> = requestBodies.anthropic()) {
  const res = await post(url(), body, headers);
  expect(res.status).toBe(200);
  const raw = await res.text();
  for (const e of parseSse(raw)) expect(JSON.parse(e.data).type).toBe(e.event);
  return sseJson(raw);
}

describe("Anthropic Messages, streamed", () => {
  it("streams thinking, text and tool_use blocks, then message_delta and message_stop", async () => {
    server.enqueue({
      steps: [
        { reasoning: ["Hmm, ", "ok"] },
        { text: ["Let me ", "look"] },
        {
          toolCall: { name: "bash", arguments: { command: "ls" }, argumentChunks: ['{"comm', 'and":"ls"}'] },
        },
      ],
      usage: { inputTokens: 120, cachedTokens: 20, outputTokens: 33 },
    });
    const events = await streamed();
    expect(events.map((e) => e.type)).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(events[0].message.usage).toMatchObject({ input_tokens: 100, cache_read_input_tokens: 20 });
    expect(events[1].content_block).toEqual({ type: "thinking", thinking: "", signature: "" });
    expect(events[3].delta).toEqual({ type: "thinking_delta", thinking: "Hmm, " });
    expect(events[5].delta.type).toBe("signature_delta");
    expect(events[7]).toMatchObject({ index: 1, content_block: { type: "text", text: "" } });
    expect(events[8].delta).toEqual({ type: "text_delta", text: "Let me " });
    expect(events[11]).toMatchObject({
      index: 2,
      content_block: { type: "tool_use", name: "bash", input: {} },
    });
    expect(events[11].content_block.id).toMatch(/^toolu_/);
    expect(events.slice(12, 14).map((e) => e.delta.partial_json)).toEqual(['{"comm', 'and":"ls"}']);
    expect(events[14]).toEqual({ type: "content_block_stop", index: 2 });
    expect(events[15].delta.stop_reason).toBe("tool_use");
    expect(events[15].usage).toEqual({ output_tokens: 33 });
  });

  it("ends a text reply with end_turn, and a length finish with max_tokens", async () => {
    server.enqueue([{ text: "hi" }], { steps: [{ text: "cut" }], finishReason: "length" });
    expect((await streamed()).at(-2).delta.stop_reason).toBe("end_turn");
    expect((await streamed()).at(-2).delta.stop_reason).toBe("max_tokens");
  });

  it("turns a late error step into an error event", async () => {
    server.enqueue([{ text: "x" }, { error: { status: 529, message: "Overloaded" } }]);
    const last = (await streamed()).at(-1);
    expect(last).toEqual({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
  });
});

describe("Anthropic Messages, other answers", () => {
  it("answers a whole message when not streamed", async () => {
    server.enqueue({
      steps: [
        { reasoning: "r" },
        { text: "t" },
        { toolCall: { name: "bash", arguments: { command: "pwd" } } },
      ],
      usage: { inputTokens: 10, outputTokens: 4 },
    });
    const body = await json(await post(url(), requestBodies.anthropic({ stream: false }), headers));
    expect(body.type).toBe("message");
    expect(body.content.map((c: any) => c.type)).toEqual(["thinking", "text", "tool_use"]);
    expect(body.content[2].input).toEqual({ command: "pwd" });
    expect(body.stop_reason).toBe("tool_use");
    expect(body.usage).toMatchObject({ input_tokens: 10, output_tokens: 4 });
  });

  it("answers a leading error in Anthropic's error shape", async () => {
    server.enqueue([{ error: { status: 429 } }]);
    const res = await post(url(), requestBodies.anthropic(), headers);
    expect(res.status).toBe(429);
    expect(await json(res)).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
  });

  it("detects OpenCode's title request (system blocks, thinking on, no tools)", async () => {
    const events = await streamed({
      model: "claude-haiku",
      max_tokens: 100,
      thinking: { type: "enabled", budget_tokens: 16000 },
      system: [{ type: "text", text: TITLE_SYSTEM }],
      messages: [
        { role: "user", content: [{ type: "text", text: "Generate a title for this conversation:\n" }] },
      ],
      stream: true,
    });
    const text = events.filter((e) => e.delta?.type === "text_delta").map((e) => e.delta.text);
    expect(text.join("")).toBe("Scripted Title");
    expect(server.requests[0]!.isTitle).toBe(true);
  });
});
