import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { manyChunks, type ScriptedModelServer, startScriptedModelServer } from "./index.ts";
import { json, parseSse, post, requestBodies, sseJson, TITLE_SYSTEM } from "./test-support/http.ts";

let server: ScriptedModelServer;
const url = () => `${server.url}/v1/chat/completions`;

beforeEach(async () => {
  server = await startScriptedModelServer();
});
afterEach(async () => {
  await server.close();
});

describe("chat completions, streamed", () => {
  it("streams text in the given chunks, then finish_reason, a usage chunk and [DONE]", async () => {
    server.enqueue([{ text: ["Hel", "lo ", "world"] }]);
    const res = await post(url(), requestBodies.chat());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const raw = await res.text();
    expect(parseSse(raw).at(-1)?.data).toBe("[DONE]");
    const chunks = sseJson(raw);
    expect(chunks[0].choices[0].delta).toEqual({ role: "assistant", content: "" });
    const contents = chunks.flatMap((c) => c.choices.map((ch: any) => ch.delta.content)).filter(Boolean);
    expect(contents).toEqual(["Hel", "lo ", "world"]);
    expect(chunks.at(-2).choices[0].finish_reason).toBe("stop");
    const last = chunks.at(-1);
    expect(last.choices).toEqual([]);
    expect(last.usage.completion_tokens).toBe(Math.ceil("Hello world".length / 4));
    expect(last.usage.total_tokens).toBe(last.usage.prompt_tokens + last.usage.completion_tokens);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === "scripted-1")).toBe(true);
  });

  it("splits plain text into chunks of chunkSize", async () => {
    server.enqueue([{ text: "abcdefgh", chunkSize: 3 }]);
    const chunks = sseJson(await (await post(url(), requestBodies.chat())).text());
    const contents = chunks.flatMap((c) => c.choices.map((ch: any) => ch.delta.content)).filter(Boolean);
    expect(contents).toEqual(["abc", "def", "gh"]);
  });

  it("streams reasoning in the `reasoning` delta field by default, `reasoning_content` on request", async () => {
    server.enqueue([{ reasoning: "Thinking hard", chunkSize: 100 }, { text: "Answer" }]);
    const chunks = sseJson(await (await post(url(), requestBodies.chat())).text());
    expect(chunks[1].choices[0].delta).toEqual({ reasoning: "Thinking hard" });
    expect(chunks[2].choices[0].delta).toEqual({ content: "Answer" });

    const other = await startScriptedModelServer({ chatReasoningField: "reasoning_content" });
    other.enqueue([{ reasoning: "Hmm" }]);
    const otherChunks = sseJson(
      await (await post(`${other.url}/v1/chat/completions`, requestBodies.chat())).text(),
    );
    expect(otherChunks[1].choices[0].delta).toEqual({ reasoning_content: "Hmm" });
    await other.close();
  });

  it("streams tool calls as indexed deltas and finishes with tool_calls", async () => {
    server.enqueue([
      {
        toolCall: [
          { name: "bash", arguments: { command: "ls -la" }, id: "call_a" },
          { name: "read", arguments: { filePath: "/x" } },
        ],
      },
    ]);
    const chunks = sseJson(await (await post(url(), requestBodies.chat())).text());
    const deltas = chunks.flatMap((c) => c.choices.flatMap((ch: any) => ch.delta.tool_calls ?? []));
    const first = deltas.filter((d: any) => d.index === 0);
    const second = deltas.filter((d: any) => d.index === 1);
    expect(first[0]).toEqual({
      index: 0,
      id: "call_a",
      type: "function",
      function: { name: "bash", arguments: "" },
    });
    expect(first.map((d: any) => d.function.arguments).join("")).toBe('{"command":"ls -la"}');
    expect(second[0].id).toMatch(/^call_/);
    expect(second[0].function.name).toBe("read");
    expect(JSON.parse(second.map((d: any) => d.function.arguments).join(""))).toEqual({ filePath: "/x" });
    expect(chunks.at(-2).choices[0].finish_reason).toBe("tool_calls");
  });

  it("reports scripted usage, and only sends the usage chunk when asked", async () => {
    const usage = { inputTokens: 100, outputTokens: 40, cachedTokens: 30, reasoningTokens: 10 };
    server.enqueue({ steps: [{ text: "x" }], usage }, { steps: [{ text: "x" }], usage }, [{ text: "y" }]);
    const asked = sseJson(await (await post(url(), requestBodies.chat())).text());
    expect(asked.at(-1).usage).toEqual({
      prompt_tokens: 100,
      completion_tokens: 40,
      total_tokens: 140,
      prompt_tokens_details: { cached_tokens: 30 },
      completion_tokens_details: { reasoning_tokens: 10 },
    });
    const openRouterStyle = sseJson(
      await (
        await post(url(), requestBodies.chat({ stream_options: undefined, usage: { include: true } }))
      ).text(),
    );
    expect(openRouterStyle.at(-1).usage.prompt_tokens).toBe(100);
    const notAsked = sseJson(
      await (await post(url(), requestBodies.chat({ stream_options: undefined }))).text(),
    );
    expect(notAsked.some((c) => c.usage)).toBe(false);
  });

  it("streams 2,000 chunks", async () => {
    server.enqueue([manyChunks(2000, "t ")]);
    const chunks = sseJson(await (await post(url(), requestBodies.chat())).text());
    const contents = chunks.flatMap((c) => c.choices.map((ch: any) => ch.delta.content)).filter(Boolean);
    expect(contents).toHaveLength(2000);
  });

  it("answers `length` when the script says so", async () => {
    server.enqueue({ steps: [{ text: "cut" }], finishReason: "length" });
    const chunks = sseJson(await (await post(url(), requestBodies.chat())).text());
    expect(chunks.at(-2).choices[0].finish_reason).toBe("length");
  });
});

describe("chat completions, not streamed", () => {
  it("answers one chat.completion object", async () => {
    server.enqueue({
      steps: [
        { reasoning: "why" },
        { text: "Hello" },
        { toolCall: { name: "bash", arguments: { command: "pwd" } } },
      ],
      usage: { inputTokens: 7, outputTokens: 3 },
    });
    const res = await post(url(), requestBodies.chat({ stream: false, stream_options: undefined }));
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = await json(res);
    expect(body.object).toBe("chat.completion");
    const choice = body.choices[0];
    expect(choice.message.content).toBe("Hello");
    expect(choice.message.reasoning).toBe("why");
    expect(choice.message.tool_calls[0].function).toEqual({ name: "bash", arguments: '{"command":"pwd"}' });
    expect(choice.finish_reason).toBe("tool_calls");
    expect(body.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    expect(server.requests[0]!.stream).toBe(false);
  });
});

describe("chat completions, errors and titles", () => {
  it("answers a leading error step as an HTTP error in OpenAI's shape", async () => {
    server.enqueue([{ error: { status: 429 } }], [{ error: { status: 500, body: { custom: true } } }]);
    const limited = await post(url(), requestBodies.chat());
    expect(limited.status).toBe(429);
    expect((await json(limited)).error).toMatchObject({ type: "requests", code: "rate_limit_exceeded" });
    const custom = await post(url(), requestBodies.chat());
    expect(custom.status).toBe(500);
    expect(await json(custom)).toEqual({ custom: true });
  });

  it("turns an error step after output into an in-stream error", async () => {
    server.enqueue([{ text: "partial" }, { error: { status: 500, message: "boom" } }]);
    const res = await post(url(), requestBodies.chat());
    expect(res.status).toBe(200);
    const chunks = sseJson(await res.text());
    expect(chunks.at(-1).error).toMatchObject({ message: "boom", type: "server_error" });
    expect(chunks.some((c) => c.choices?.[0]?.finish_reason)).toBe(false);
  });

  it("answers title requests with the fixed title without consuming the queue", async () => {
    server.enqueue([{ text: "main reply" }]);
    const title = await post(url(), {
      model: "scripted-1",
      messages: [
        { role: "system", content: TITLE_SYSTEM },
        { role: "user", content: "Generate a title for this conversation:\n" },
        { role: "user", content: "say hello" },
      ],
      stream: true,
    });
    const titleText = sseJson(await title.text())
      .flatMap((c) => c.choices.map((ch: any) => ch.delta.content ?? ""))
      .join("");
    expect(titleText).toBe("Scripted Title");
    expect(server.queued).toBe(1);
    const main = sseJson(await (await post(url(), requestBodies.chat())).text());
    expect(main.flatMap((c) => c.choices.map((ch: any) => ch.delta.content ?? "")).join("")).toBe(
      "main reply",
    );
    expect(server.requests.map((r) => r.isTitle)).toEqual([true, false]);
  });
});
