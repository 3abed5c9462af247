import { startScriptedModelServer } from "@studio/testkit";
import { describe, expect, it } from "vitest";
import { createUsageMeter, withUsageRequested } from "./index.ts";

const chat = (fields: object) => Buffer.from(JSON.stringify({ model: "m", messages: [], ...fields }));

describe("withUsageRequested", () => {
  it("adds stream_options for a custom endpoint, leaving every other byte as it was", () => {
    const body = Buffer.from(
      '{ "model":"m",\n  "stream": true, "messages":[{"role":"user","content":"é \\u00e9"}] }',
    );
    const out = withUsageRequested("chat-completions", "custom", body)!;
    expect(out.toString()).toBe(
      '{"stream_options":{"include_usage":true}, "model":"m",\n  "stream": true, "messages":[{"role":"user","content":"é \\u00e9"}] }',
    );
  });

  it("adds stream_options and usage.include for OpenRouter", () => {
    const out = withUsageRequested("chat-completions", "openrouter", chat({ stream: true }))!;
    expect(JSON.parse(out.toString())).toEqual({
      stream_options: { include_usage: true },
      usage: { include: true },
      model: "m",
      messages: [],
      stream: true,
    });
  });

  it("completes existing objects in place, keeping their other fields", () => {
    const body = Buffer.from(
      '{"usage": {"include": false, "x": 1}, "stream": true, "stream_options": {"include_usage": false, "y": [1, "}"]}, "z": 2}',
    );
    const out = withUsageRequested("chat-completions", "openrouter", body)!;
    expect(out.toString()).toBe(
      '{"usage": {"include":true,"x":1}, "stream": true, "stream_options": {"include_usage":true,"y":[1,"}"]}, "z": 2}',
    );
    const nulls = withUsageRequested("chat-completions", "openrouter", chat({ stream: true, usage: null }))!;
    expect(JSON.parse(nulls.toString())).toMatchObject({ usage: { include: true } });
  });

  it("returns the same Buffer when nothing needs to change", () => {
    const asked = chat({ stream: true, stream_options: { include_usage: true }, usage: { include: true } });
    expect(withUsageRequested("chat-completions", "openrouter", asked)).toBe(asked);
    const customAsked = chat({ stream: true, stream_options: { include_usage: true } });
    expect(withUsageRequested("chat-completions", "custom", customAsked)).toBe(customAsked);
    const notStreaming = chat({ stream: false });
    expect(withUsageRequested("chat-completions", "openrouter", notStreaming)).toBe(notStreaming);
    const responses = Buffer.from('{"model":"m","stream":true}');
    expect(withUsageRequested("responses", "openai", responses)).toBe(responses);
    const notJsonButNotChat = Buffer.from("not json");
    expect(withUsageRequested("anthropic", "anthropic", notJsonButNotChat)).toBe(notJsonButNotChat);
  });

  it("returns null when a chat completions body is not JSON", () => {
    expect(withUsageRequested("chat-completions", "custom", Buffer.from("{oops"))).toBeNull();
    expect(withUsageRequested("chat-completions", "custom", Buffer.from(""))).toBeNull();
  });

  it("handles an empty object and an edited value at the end", () => {
    expect(withUsageRequested("chat-completions", "custom", Buffer.from('{"stream":true}'))!.toString()).toBe(
      '{"stream_options":{"include_usage":true},"stream":true}',
    );
    const last = Buffer.from('{"stream":true,"stream_options":null}');
    expect(withUsageRequested("chat-completions", "custom", last)!.toString()).toBe(
      '{"stream":true,"stream_options":{"include_usage":true}}',
    );
  });

  it("makes a provider that only reports usage on request report it", async () => {
    const server = await startScriptedModelServer();
    try {
      server.enqueue({ steps: [{ text: "Hi" }], usage: { inputTokens: 7, outputTokens: 3 } });
      const body = withUsageRequested("chat-completions", "openrouter", chat({ stream: true, tools: [{}] }))!;
      const res = await fetch(`${server.url}/api/v1/chat/completions`, { method: "POST", body });
      const meter = createUsageMeter("chat-completions", res.headers.get("content-type") ?? undefined);
      meter.push(Buffer.from(await res.arrayBuffer()));
      expect(meter.result().reported).toEqual({
        inputTokens: 7,
        outputTokens: 3,
        cachedTokens: 0,
        reasoningTokens: 0,
      });
    } finally {
      await server.close();
    }
  });
});
