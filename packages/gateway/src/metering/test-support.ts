// Test inputs for the metering tests: real wire bytes from the scripted model server, and ways of
// cutting them into chunks the way a network might. Not used outside tests.
import type { ScriptedModelServer, ScriptedReply } from "@studio/testkit";
import type { WireFormat } from "./types.ts";

export interface Wire {
  bytes: Buffer;
  contentType: string | undefined;
  requestBody: Buffer;
}

export interface WireRequest {
  stream: boolean;
  /** Google only: `?alt=sse` (default) or the JSON-array stream. */
  googleSse?: boolean;
}

const tools = {
  "chat-completions": [{ type: "function", function: { name: "bash", parameters: { type: "object" } } }],
  responses: [{ type: "function", name: "bash", parameters: { type: "object" } }],
  anthropic: [{ name: "bash", input_schema: { type: "object" } }],
  google: [{ functionDeclarations: [{ name: "bash" }] }],
};

function requestFor(format: WireFormat, { stream, googleSse = true }: WireRequest) {
  switch (format) {
    case "chat-completions":
      return {
        path: "/v1/chat/completions",
        body: {
          model: "chat-model",
          messages: [{ role: "user", content: "hi" }],
          tools: tools[format],
          stream,
          ...(stream ? { stream_options: { include_usage: true } } : {}),
        },
      };
    case "responses":
      return {
        path: "/v1/responses",
        body: {
          model: "responses-model",
          input: [{ role: "user", content: "hi" }],
          tools: tools[format],
          stream,
        },
      };
    case "anthropic":
      return {
        path: "/v1/messages",
        body: {
          model: "claude-model",
          max_tokens: 1000,
          messages: [{ role: "user", content: "hi" }],
          tools: tools[format],
          stream,
        },
      };
    case "google": {
      const method = stream ? `streamGenerateContent${googleSse ? "?alt=sse" : ""}` : "generateContent";
      return {
        path: `/v1beta/models/gemini-model:${method}`,
        body: { contents: [{ role: "user", parts: [{ text: "hi" }] }], tools: tools[format] },
      };
    }
  }
}

/** One call to the scripted server answered with `reply`, as the raw response bytes. */
export async function scriptedWire(
  server: ScriptedModelServer,
  format: WireFormat,
  request: WireRequest,
  reply: ScriptedReply,
): Promise<Wire> {
  const { path, body } = requestFor(format, request);
  const requestBody = Buffer.from(JSON.stringify(body));
  server.enqueue(reply);
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer k" },
    body: requestBody,
  });
  if (res.status !== 200) throw new Error(`scripted server answered ${res.status}: ${await res.text()}`);
  return {
    bytes: Buffer.from(await res.arrayBuffer()),
    contentType: res.headers.get("content-type") ?? undefined,
    requestBody,
  };
}

/** Fixed-size pieces. */
export function chunksOf(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** Pieces of pseudo-random sizes between 1 and `max`, the same for the same seed. */
export function randomChunks(bytes: Buffer, seed: number, max = 40): Buffer[] {
  const out: Buffer[] = [];
  let state = seed;
  for (let i = 0; i < bytes.length; ) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const size = 1 + (state % max);
    out.push(bytes.subarray(i, i + size));
    i += size;
  }
  return out;
}

/** Cuts right after every carriage return and line feed, so that `\r\n` and `\n\n` are split. */
export function lineBreakChunks(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 10 || bytes[i] === 13) {
      out.push(bytes.subarray(start, i + 1));
      start = i + 1;
    }
  }
  out.push(bytes.subarray(start));
  return out;
}

/** The chunkings every wire is fed in. */
export function chunkings(bytes: Buffer): [string, Buffer[]][] {
  return [
    ["whole", [bytes]],
    ["byte by byte", chunksOf(bytes, 1)],
    ["2 bytes", chunksOf(bytes, 2)],
    ["7 bytes", chunksOf(bytes, 7)],
    ["random sizes", randomChunks(bytes, 42)],
    ["at line breaks", lineBreakChunks(bytes)],
  ];
}

/** The same SSE body with other line endings. */
export const withLineEndings = (bytes: Buffer, ending: "\r\n" | "\r"): Buffer =>
  Buffer.from(bytes.toString("utf8").replace(/\n/g, ending));
