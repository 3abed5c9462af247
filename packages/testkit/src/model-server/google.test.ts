import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ScriptedModelServer, startScriptedModelServer } from "./index.ts";
import { json, post, requestBodies, sseJson, TITLE_SYSTEM } from "./test-support/http.ts";

let server: ScriptedModelServer;
const streamUrl = () => `${server.url}/v1beta/models/gemini-test:streamGenerateContent?alt=sse`;
const headers = { authorization: "", "x-goog-api-key": "k" };

beforeEach(async () => {
  server = await startScriptedModelServer();
});
afterEach(async () => {
  await server.close();
});

async function streamed(body: Record<string, unknown> = requestBodies.google()) {
  const res = await post(streamUrl(), body, headers);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  return sseJson(await res.text());
}

describe("Google generateContent, streamed", () => {
  it("streams thought parts, text parts and a final chunk with finishReason and usageMetadata", async () => {
    server.enqueue({
      steps: [{ reasoning: ["Think"] }, { text: ["Hello ", "world"] }],
      usage: { inputTokens: 90, cachedTokens: 10, outputTokens: 30, reasoningTokens: 12 },
    });
    const chunks = await streamed();
    expect(chunks.map((c) => c.candidates[0].content?.parts)).toEqual([
      [{ text: "Think", thought: true }],
      [{ text: "Hello " }],
      [{ text: "world" }],
      undefined,
    ]);
    expect(chunks.every((c) => c.modelVersion === "gemini-test" && c.candidates[0].index === 0)).toBe(true);
    expect(chunks[0].usageMetadata).toMatchObject({ promptTokenCount: 90, totalTokenCount: 90 });
    const last = chunks.at(-1);
    expect(last.candidates[0].finishReason).toBe("STOP");
    expect(last.usageMetadata).toMatchObject({
      promptTokenCount: 90,
      cachedContentTokenCount: 10,
      candidatesTokenCount: 18,
      thoughtsTokenCount: 12,
      totalTokenCount: 120,
    });
  });

  it("sends function calls whole, with a thought signature, and finishes with STOP", async () => {
    server.enqueue([
      {
        toolCall: [
          { name: "bash", arguments: { command: "ls" } },
          { name: "read", arguments: { filePath: "a" } },
        ],
      },
    ]);
    const chunks = await streamed();
    const parts = chunks.flatMap((c) => c.candidates[0].content?.parts ?? []);
    expect(parts.map((p: any) => p.functionCall)).toEqual([
      { name: "bash", args: { command: "ls" } },
      { name: "read", args: { filePath: "a" } },
    ]);
    expect(parts.every((p: any) => typeof p.thoughtSignature === "string")).toBe(true);
    expect(chunks.at(-1).candidates[0].finishReason).toBe("STOP");
  });

  it("finishes with MAX_TOKENS for a length finish and sends late errors as an error chunk", async () => {
    server.enqueue({ steps: [{ text: "cut" }], finishReason: "length" }, [
      { text: "x" },
      { error: { status: 503, message: "busy" } },
    ]);
    expect((await streamed()).at(-1).candidates[0].finishReason).toBe("MAX_TOKENS");
    expect((await streamed()).at(-1)).toEqual({
      error: { code: 503, message: "busy", status: "UNAVAILABLE" },
    });
  });

  it("streams one JSON array without alt=sse", async () => {
    server.enqueue([{ text: ["a", "b"] }]);
    const res = await post(
      `${server.url}/v1beta/models/g:streamGenerateContent`,
      requestBodies.google(),
      headers,
    );
    expect(res.headers.get("content-type")).toContain("application/json");
    const chunks = JSON.parse(await res.text());
    expect(chunks.map((c: any) => c.candidates[0].content?.parts[0].text)).toEqual(["a", "b", undefined]);
  });
});

describe("Google generateContent, other answers", () => {
  it("answers one response when not streamed", async () => {
    server.enqueue([
      { reasoning: "r" },
      { text: "t" },
      { toolCall: { name: "bash", arguments: { command: "pwd" } } },
    ]);
    const res = await post(`${server.url}/v1beta/models/g:generateContent`, requestBodies.google(), headers);
    const body = await json(res);
    expect(body.candidates[0].content.parts.map((p: any) => Object.keys(p).sort().join())).toEqual([
      "text,thought",
      "text",
      "functionCall,thoughtSignature",
    ]);
    expect(body.candidates[0].finishReason).toBe("STOP");
    expect(body.usageMetadata.totalTokenCount).toBeGreaterThan(0);
  });

  it("answers a leading error in Google's error shape", async () => {
    server.enqueue([{ error: { status: 400, message: "bad" } }]);
    const res = await post(streamUrl(), requestBodies.google(), headers);
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ error: { code: 400, message: "bad", status: "INVALID_ARGUMENT" } });
  });

  it("detects OpenCode's title request (systemInstruction, no tools)", async () => {
    server.enqueue([{ text: "main" }]);
    const chunks = await streamed({
      systemInstruction: { parts: [{ text: TITLE_SYSTEM }] },
      contents: [{ role: "user", parts: [{ text: "Generate a title for this conversation:\n" }] }],
      generationConfig: { thinkingConfig: { includeThoughts: true } },
    });
    const text = chunks.flatMap((c) => c.candidates[0].content?.parts ?? []).map((p: any) => p.text);
    expect(text.join("")).toBe("Scripted Title");
    expect(server.requests[0]!.isTitle).toBe(true);
    expect(server.queued).toBe(1);
  });
});
