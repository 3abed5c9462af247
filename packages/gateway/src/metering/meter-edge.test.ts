// Hand-written responses for what the scripted server does not produce: malformed events, provider
// quirks, usage spread over several events.
import { describe, expect, it } from "vitest";
import { CHARS_PER_TOKEN, createUsageMeter, estimateUsage, type WireFormat } from "./index.ts";
import { chunksOf } from "./test-support.ts";

const sse = (...events: (string | object)[]) =>
  events.map((e) => `data: ${typeof e === "string" ? e : JSON.stringify(e)}\n\n`).join("");

function meter(format: WireFormat, body: string, contentType = "text/event-stream", size = 1) {
  const m = createUsageMeter(format, contentType);
  for (const chunk of chunksOf(Buffer.from(body), size)) m.push(chunk);
  return m.result();
}

const chatUsage = (extra: object = {}) => ({
  choices: [],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, ...extra },
});

describe("malformed input", () => {
  it("ignores [DONE], comments, unknown fields, non-JSON and truncated events without throwing", () => {
    const body =
      ": keep-alive comment\n\n" +
      "event: whatever\nid: 7\nretry: 100\n\n" +
      'data: {"choices": [{"index": 0, "delta": {"content": "Hi"}}]}\n\n' +
      "data: not json at all\n\n" +
      'data: {"usage": {"prompt_tokens": 999, "completion_tokens": 999\n\n' + // never closed
      'data: {"usage": {"prompt_tokens": 998}} trailing\n\n' + // not one JSON value
      'data: {"a": tru}\n\n' +
      'data: {"a": "\\x"}\n\n' +
      sse(chatUsage(), "[DONE]");
    for (const size of [1, 3, body.length]) {
      const result = meter("chat-completions", body, "text/event-stream", size);
      expect(result.reported).toEqual({
        inputTokens: 10,
        outputTokens: 5,
        cachedTokens: 0,
        reasoningTokens: 0,
      });
      expect(result.outputChars).toBe(2);
    }
  });

  it("drops an event with anything after its JSON value, keeps a last event lacking its blank line", () => {
    const usage = JSON.stringify(chatUsage());
    expect(meter("chat-completions", `data: ${usage} x\n\n`).reported).toBeNull();
    expect(meter("chat-completions", `data: ${usage}\ndata: {}\n\n`).reported).toBeNull();
    expect(meter("chat-completions", `data: ${usage}`)).toMatchObject({
      reported: { inputTokens: 10, outputTokens: 5 },
      complete: true,
    });
  });

  it("joins multi-line data and accepts `data:` without a space", () => {
    const body =
      'data:{"choices": [],\ndata: "usage": {"prompt_tokens": 3,\ndata:"completion_tokens": 4}}\n\n';
    expect(meter("chat-completions", body).reported).toMatchObject({ inputTokens: 3, outputTokens: 4 });
  });

  it("meters nothing from an error body or an empty response", () => {
    const error = JSON.stringify({
      error: { message: "The model does not exist", type: "invalid_request_error" },
    });
    expect(meter("responses", error, "application/json")).toEqual({
      reported: null,
      complete: false,
      model: null,
      outputChars: 0,
    });
    expect(meter("google", "", undefined).reported).toBeNull();
    expect(meter("anthropic", "\n\n   ", undefined).reported).toBeNull();
  });

  it("survives absurd nesting and huge numbers", () => {
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    expect(meter("google", deep, "application/json", 997).reported).toBeNull();
    const huge = `data: {"usage": {"prompt_tokens": ${"9".repeat(500)}}}\n\n`;
    expect(meter("chat-completions", huge, undefined).reported).toBeNull();
  });
});

describe("chat completions", () => {
  it("adds reasoning to the output when the provider's total shows it was counted apart (xAI)", () => {
    const apart = chatUsage({ total_tokens: 45, completion_tokens_details: { reasoning_tokens: 30 } });
    expect(meter("chat-completions", sse(apart)).reported).toEqual({
      inputTokens: 10,
      outputTokens: 35,
      cachedTokens: 0,
      reasoningTokens: 30,
    });
    const included = chatUsage({
      completion_tokens: 35,
      total_tokens: 45,
      completion_tokens_details: { reasoning_tokens: 30 },
    });
    expect(meter("chat-completions", sse(included)).reported?.outputTokens).toBe(35);
  });

  it("takes the last usage when every chunk carries one (continuous usage stats)", () => {
    const chunk = (content: string, completion: number, finish: string | null) => ({
      choices: [{ index: 0, delta: { content }, finish_reason: finish }],
      usage: { prompt_tokens: 10, completion_tokens: completion, total_tokens: 10 + completion },
    });
    const partial = sse(chunk("Hello", 1, null), chunk(" world", 2, null));
    // Cut before the finish: the reported output is only a running count, the estimate may be larger.
    const cut = meter("chat-completions", partial);
    expect(cut.complete).toBe(false);
    expect(cut.reported).toMatchObject({ inputTokens: 10, outputTokens: Math.ceil(11 / CHARS_PER_TOKEN) });
    const done = meter("chat-completions", partial + sse(chunk("!", 3, "stop"), "[DONE]"));
    expect(done.complete).toBe(true);
    expect(done.reported).toMatchObject({ inputTokens: 10, outputTokens: 3 });
  });
});

describe("anthropic", () => {
  const start = {
    type: "message_start",
    message: {
      model: "claude-x",
      usage: {
        input_tokens: 100,
        cache_read_input_tokens: 30,
        cache_creation_input_tokens: 20,
        output_tokens: 1,
      },
    },
  };
  const textDelta = (text: string) => ({
    type: "content_block_delta",
    index: 0,
    delta: { type: "text_delta", text },
  });

  it("adds cache reads and writes to the input; message_delta's cumulative fields win", () => {
    const body = sse(
      start,
      textDelta("Hello"),
      {
        type: "message_delta",
        delta: { stop_reason: "end_turn" },
        usage: { input_tokens: 100, output_tokens: 42 },
      },
      { type: "message_stop" },
    );
    expect(meter("anthropic", body)).toEqual({
      reported: { inputTokens: 150, outputTokens: 42, cachedTokens: 30, reasoningTokens: 0 },
      complete: true,
      model: "claude-x",
      outputChars: 5,
    });
  });

  it("an error event after message_start leaves the partial report", () => {
    const body = sse(start, textDelta("x".repeat(40)), {
      type: "error",
      error: { type: "overloaded_error" },
    });
    expect(meter("anthropic", body)).toMatchObject({
      reported: { inputTokens: 150, outputTokens: 10, cachedTokens: 30, reasoningTokens: 0 },
      complete: false,
    });
  });
});

describe("responses", () => {
  it("counts only text deltas, not audio, and reads usage from response.incomplete", () => {
    const body = sse(
      { type: "response.created", response: { model: "gpt-x", usage: null } },
      { type: "response.output_text.delta", delta: "abc" },
      { type: "response.audio.delta", delta: "QUJDREVGRw==" },
      { delta: "defg", type: "response.function_call_arguments.delta" }, // type after delta
      {
        type: "response.incomplete",
        response: {
          model: "gpt-x",
          output: [{ content: [{ text: "abc" }] }],
          usage: { input_tokens: 8, output_tokens: 2 },
        },
      },
    );
    expect(meter("responses", body)).toEqual({
      reported: { inputTokens: 8, outputTokens: 2, cachedTokens: 0, reasoningTokens: 0 },
      complete: true,
      model: "gpt-x",
      outputChars: 7,
    });
  });
});

describe("google", () => {
  it("adds tool-use prompt tokens to the input", () => {
    const chunk = {
      candidates: [{ content: { parts: [{ text: "ok" }] }, finishReason: "STOP" }],
      usageMetadata: { promptTokenCount: 10, toolUsePromptTokenCount: 5, candidatesTokenCount: 2 },
    };
    expect(meter("google", JSON.stringify(chunk), "application/json").reported).toEqual({
      inputTokens: 15,
      outputTokens: 2,
      cachedTokens: 0,
      reasoningTokens: 0,
    });
  });
});

describe("estimateUsage", () => {
  it("counts about four characters per token, rounding up, with nothing cached", () => {
    expect(CHARS_PER_TOKEN).toBe(4);
    expect(estimateUsage(Buffer.alloc(4001), 9)).toEqual({
      inputTokens: 1001,
      outputTokens: 3,
      cachedTokens: 0,
      reasoningTokens: 0,
    });
    expect(estimateUsage(Buffer.alloc(0), 0)).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      cachedTokens: 0,
      reasoningTokens: 0,
    });
  });

  it("measures the request in bytes", () => {
    expect(estimateUsage(Buffer.from("ééé"), 0).inputTokens).toBe(2); // 6 bytes
  });
});
