import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ScriptedModelServer, startScriptedModelServer } from "./index.ts";
import { json, parseSse, post, requestBodies, sseJson, TITLE_SYSTEM } from "./test-support/http.ts";

let server: ScriptedModelServer;
const url = () => `${server.url}/v1/responses`;

beforeEach(async () => {
  server = await startScriptedModelServer();
});
afterEach(async () => {
  await server.close();
});

async function streamed(body = requestBodies.responses()) {
  const res = await post(url(), body);
  expect(res.status).toBe(200);
  const raw = await res.text();
  // Every event names its type twice, on the `event:` line and in the payload.
  for (const e of parseSse(raw)) expect(JSON.parse(e.data).type).toBe(e.event);
  return sseJson(raw);
}

describe("OpenAI Responses, streamed", () => {
  it("streams a message item with output_text deltas and completes with usage", async () => {
    server.enqueue({ steps: [{ text: ["Hi ", "there"] }], usage: { inputTokens: 50, cachedTokens: 20 } });
    const events = await streamed();
    expect(events.map((e) => e.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[4].delta).toBe("Hi ");
    expect(events[6].text).toBe("Hi there");
    const done = events.at(-1).response;
    expect(done.status).toBe("completed");
    expect(done.output[0].content[0].text).toBe("Hi there");
    expect(done.usage).toEqual({
      input_tokens: 50,
      input_tokens_details: { cached_tokens: 20 },
      output_tokens: Math.ceil("Hi there".length / 4),
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 50 + Math.ceil("Hi there".length / 4),
    });
  });

  it("streams reasoning as a reasoning item with summary text deltas before the message", async () => {
    server.enqueue([{ reasoning: ["Let me ", "think"] }, { text: "Done" }]);
    const events = await streamed(requestBodies.responses({ include: ["reasoning.encrypted_content"] }));
    const types = events.map((e) => e.type);
    expect(types.slice(2, 9)).toEqual([
      "response.output_item.added",
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.done",
      "response.reasoning_summary_part.done",
      "response.output_item.done",
    ]);
    expect(events[2].item).toMatchObject({ type: "reasoning", summary: [] });
    expect(events[2].item.encrypted_content).toEqual(expect.any(String));
    expect(events[6].text).toBe("Let me think");
    const done = events.at(-1).response;
    expect(done.output.map((o: any) => o.type)).toEqual(["reasoning", "message"]);
    expect(done.output.map((o: any) => o.id)).toEqual([events[2].item.id, events[9].item.id]);
    expect(done.usage.output_tokens_details.reasoning_tokens).toBe(Math.ceil("Let me think".length / 4));
  });

  it("streams function calls with argument deltas, each at its own output_index", async () => {
    server.enqueue([
      { text: "Running" },
      {
        toolCall: {
          name: "bash",
          arguments: { command: "ls" },
          id: "call_1",
          argumentChunks: ['{"command"', ':"ls"}'],
        },
      },
      { toolCall: { name: "read", arguments: { filePath: "a" } } },
    ]);
    const events = await streamed();
    const added = events.filter((e) => e.type === "response.output_item.added");
    expect(added.map((e) => [e.output_index, e.item.type])).toEqual([
      [0, "message"],
      [1, "function_call"],
      [2, "function_call"],
    ]);
    expect(added[1].item).toMatchObject({ call_id: "call_1", name: "bash", arguments: "" });
    const deltas = events.filter(
      (e) => e.type === "response.function_call_arguments.delta" && e.output_index === 1,
    );
    expect(deltas.map((e) => e.delta)).toEqual(['{"command"', ':"ls"}']);
    const argsDone = events.filter((e) => e.type === "response.function_call_arguments.done");
    expect(argsDone.map((e) => e.arguments)).toEqual(['{"command":"ls"}', '{"filePath":"a"}']);
    const output = events.at(-1).response.output;
    expect(output.map((o: any) => o.type)).toEqual(["message", "function_call", "function_call"]);
    expect(output[2].call_id).toMatch(/^call_/);
  });

  it("ends with response.incomplete for a length finish", async () => {
    server.enqueue({ steps: [{ text: "cut" }], finishReason: "length" });
    const last = (await streamed()).at(-1);
    expect(last.type).toBe("response.incomplete");
    expect(last.response.incomplete_details).toEqual({ reason: "max_output_tokens" });
  });

  it("turns a late error step into an error event", async () => {
    server.enqueue([{ text: "x" }, { error: { status: 500, message: "upstream broke" } }]);
    const last = (await streamed()).at(-1);
    expect(last).toMatchObject({ type: "error", message: "upstream broke" });
  });
});

describe("OpenAI Responses, other answers", () => {
  it("answers a whole response object when not streamed", async () => {
    server.enqueue([{ reasoning: "r" }, { text: "t" }, { toolCall: { name: "bash", arguments: {} } }]);
    const body = await json(await post(url(), requestBodies.responses({ stream: false })));
    expect(body.object).toBe("response");
    expect(body.status).toBe("completed");
    expect(body.output.map((o: any) => o.type)).toEqual(["reasoning", "message", "function_call"]);
    expect(body.usage.total_tokens).toBe(body.usage.input_tokens + body.usage.output_tokens);
  });

  it("answers a leading error as an HTTP error", async () => {
    server.enqueue([{ error: { status: 404 } }]);
    const res = await post(url(), requestBodies.responses());
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe("model_not_found");
  });

  it("detects OpenCode's title request (developer role, no tools)", async () => {
    server.enqueue([{ text: "main" }]);
    const events = await streamed({
      model: "gpt-nano",
      input: [
        { role: "developer", content: TITLE_SYSTEM },
        {
          role: "user",
          content: [{ type: "input_text", text: "Generate a title for this conversation:\n" }],
        },
      ],
      stream: true,
    } as any);
    expect(events.at(-1).response.output[0].content[0].text).toBe("Scripted Title");
    expect(server.requests[0]!.isTitle).toBe(true);
    expect(server.queued).toBe(1);
  });
});
