import { type ScriptedModelServer, type ScriptedReply, startScriptedModelServer } from "@studio/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUsageMeter, estimateTokens, type MeteredUsage, type WireFormat } from "./index.ts";
import { chunkings, chunksOf, scriptedWire, type Wire, withLineEndings } from "./test-support.ts";

let server: ScriptedModelServer;
beforeAll(async () => {
  server = await startScriptedModelServer();
});
afterAll(async () => {
  await server.close();
});

const usage: MeteredUsage = { inputTokens: 1234, outputTokens: 321, cachedTokens: 200, reasoningTokens: 55 };
// Multi-byte characters, so that byte-by-byte chunks split UTF-8 sequences.
const text = 'Grüße, 世界! Here is the answer 🙂 with "quotes" and a\nnew line.';
const reasoning = "Let me think… about ünïcode.";
const args = { command: "echo hi" };
const reply: ScriptedReply = {
  steps: [
    { reasoning, chunkSize: 5 },
    { text, chunkSize: 7 },
    { toolCall: { name: "bash", arguments: args } },
  ],
  usage,
};

// What each format carries of the output: tool arguments as a JSON string where they stream as
// text, only their string values (and, for Google, the function name) where they are objects.
const argsJson = JSON.stringify(args).length;
const argsStrings = args.command.length;
function expectedChars(format: WireFormat, stream: boolean): number {
  if (format === "google") return reasoning.length + text.length + "bash".length + argsStrings;
  if (format === "anthropic" && !stream) return reasoning.length + text.length + argsStrings;
  return reasoning.length + text.length + argsJson;
}

// Anthropic bills thinking as output but does not report it apart.
const expectedUsage = (format: WireFormat): MeteredUsage =>
  format === "anthropic" ? { ...usage, reasoningTokens: 0 } : usage;

const models: Record<WireFormat, string> = {
  "chat-completions": "chat-model",
  responses: "responses-model",
  anthropic: "claude-model",
  google: "gemini-model",
};

function meter(format: WireFormat, wire: Pick<Wire, "contentType">, chunks: Buffer[]) {
  const m = createUsageMeter(format, wire.contentType);
  for (const chunk of chunks) m.push(chunk);
  return m.result();
}

const FORMATS: WireFormat[] = ["chat-completions", "responses", "anthropic", "google"];

describe.each(FORMATS)("%s", (format) => {
  it.each([true, false])("reports the exact usage (stream: %s) however the bytes are cut", async (stream) => {
    const wire = await scriptedWire(server, format, { stream }, reply);
    for (const [name, chunks] of chunkings(wire.bytes)) {
      const result = meter(format, wire, chunks);
      expect(result, name).toEqual({
        reported: expectedUsage(format),
        complete: true,
        model: models[format],
        outputChars: expectedChars(format, stream),
      });
    }
  });

  it("reports the same without a content type (sniffed from the body)", async () => {
    for (const stream of [true, false]) {
      const wire = await scriptedWire(server, format, { stream }, reply);
      const result = meter(format, { contentType: undefined }, chunksOf(wire.bytes, 3));
      expect(result.reported).toEqual(expectedUsage(format));
    }
  });

  it.each(["\r\n", "\r"] as const)("reads SSE with %j line endings", async (ending) => {
    const wire = await scriptedWire(server, format, { stream: true }, reply);
    const bytes = withLineEndings(wire.bytes, ending);
    for (const [name, chunks] of chunkings(bytes)) {
      expect(meter(format, wire, chunks).reported, name).toEqual(expectedUsage(format));
    }
  });

  it("reports zero cached and reasoning tokens when the provider reports none", async () => {
    const plain = { inputTokens: 50, outputTokens: 7, cachedTokens: 0, reasoningTokens: 0 };
    for (const stream of [true, false]) {
      const wire = await scriptedWire(server, format, { stream }, { steps: [{ text: "Hi." }], usage: plain });
      expect(meter(format, wire, [wire.bytes]).reported).toEqual(plain);
    }
  });

  it("keeps up with a long stream of small chunks", async () => {
    const wire = await scriptedWire(
      server,
      format,
      { stream: true },
      { steps: [{ chunks: Array.from({ length: 3000 }, () => "tok ") }], usage },
    );
    const result = meter(format, wire, chunksOf(wire.bytes, 100));
    expect(result.reported).toEqual(expectedUsage(format));
    expect(result.outputChars).toBe(12000);
  });
});

describe("Google's JSON-array stream (no alt=sse)", () => {
  it("reports the last chunk's usage however the bytes are cut", async () => {
    const wire = await scriptedWire(server, "google", { stream: true, googleSse: false }, reply);
    expect(wire.contentType).toContain("application/json");
    expect(wire.bytes.toString()[0]).toBe("[");
    for (const [name, chunks] of chunkings(wire.bytes)) {
      expect(meter("google", wire, chunks), name).toEqual({
        reported: usage,
        complete: true,
        model: "gemini-model",
        outputChars: expectedChars("google", true),
      });
    }
  });
});

// A client that hangs up mid-stream leaves the meter with a prefix of the response.
describe("a stream cut off in the middle", () => {
  const longReply: ScriptedReply = { steps: [{ reasoning }, { text: text.repeat(20), chunkSize: 9 }], usage };
  const cut = async (format: WireFormat, at = 0.5) => {
    const wire = await scriptedWire(server, format, { stream: true }, longReply);
    const prefix = wire.bytes.subarray(0, Math.floor(wire.bytes.length * at));
    return meter(format, wire, chunksOf(prefix, 5));
  };

  it.each(["chat-completions", "responses"] as const)(
    "%s: no usage reported, output characters seen",
    async (format) => {
      const result = await cut(format);
      expect(result.reported).toBeNull();
      expect(result.complete).toBe(false);
      expect(result.model).toBe(models[format]);
      expect(result.outputChars).toBeGreaterThan(reasoning.length);
      expect(result.outputChars).toBeLessThan(reasoning.length + text.length * 20);
    },
  );

  it("anthropic: message_start's input counts, the output is estimated from what was seen", async () => {
    const result = await cut("anthropic");
    expect(result.complete).toBe(false);
    expect(result.reported).toEqual({
      inputTokens: usage.inputTokens,
      outputTokens: estimateTokens(result.outputChars),
      cachedTokens: usage.cachedTokens,
      reasoningTokens: 0,
    });
    expect(result.outputChars).toBeGreaterThan(reasoning.length);
  });

  it("google: the prompt count of the last chunk counts, the output is estimated", async () => {
    const result = await cut("google");
    expect(result.complete).toBe(false);
    expect(result.reported).toEqual({
      inputTokens: usage.inputTokens,
      outputTokens: estimateTokens(result.outputChars),
      cachedTokens: usage.cachedTokens,
      reasoningTokens: 0,
    });
  });

  it("anthropic over the wire: a client abort after the first text", async () => {
    server.enqueue({ steps: [{ text: ["Partial answer"] }, { hang: true }], usage });
    const abort = new AbortController();
    const res = await fetch(`${server.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-model",
        max_tokens: 10,
        messages: [],
        tools: [{}],
        stream: true,
      }),
      signal: abort.signal,
    });
    const m = createUsageMeter("anthropic", res.headers.get("content-type") ?? undefined);
    const reader = res.body!.getReader();
    let seen = "";
    while (!seen.includes("Partial answer")) {
      const { value } = await reader.read();
      if (!value) break;
      m.push(Buffer.from(value));
      seen += Buffer.from(value).toString();
    }
    abort.abort();
    const result = m.result();
    expect(result.outputChars).toBe("Partial answer".length);
    expect(result.reported).toEqual({
      inputTokens: 1234,
      outputTokens: 4,
      cachedTokens: 200,
      reasoningTokens: 0,
    });
  });

  it("a cut right after the final usage still counts as complete", async () => {
    const wire = await scriptedWire(server, "chat-completions", { stream: true }, longReply);
    const withoutDone = wire.bytes.subarray(0, wire.bytes.lastIndexOf("data: [DONE]"));
    expect(meter("chat-completions", wire, [withoutDone]).complete).toBe(true);
  });
});
