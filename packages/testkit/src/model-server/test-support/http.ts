/** Small client-side helpers for the model server's own tests. */

export interface SseEvent {
  event: string | undefined;
  data: string;
}

export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    if (data.length > 0) events.push({ event, data: data.join("\n") });
  }
  return events;
}

/** JSON payloads of an SSE body, skipping non-JSON sentinels such as `[DONE]`. */
// biome-ignore lint/suspicious/noExplicitAny: tests inspect wire payloads loosely.
export function sseJson(text: string): any[] {
  return parseSse(text)
    .filter((e) => e.data !== "[DONE]")
    .map((e) => JSON.parse(e.data));
}

// biome-ignore lint/suspicious/noExplicitAny: tests inspect wire payloads loosely.
export async function json(res: Response): Promise<any> {
  return res.json();
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer test-key", ...headers },
    body: JSON.stringify(body),
  });
}

/** A minimal main (non-title) request body for each format. */
export const requestBodies = {
  chat: (extra: Record<string, unknown> = {}) => ({
    model: "scripted-1",
    messages: [
      { role: "system", content: "You are opencode." },
      { role: "user", content: "hi" },
    ],
    tools: [{ type: "function", function: { name: "bash", parameters: { type: "object" } } }],
    stream: true,
    stream_options: { include_usage: true },
    ...extra,
  }),
  responses: (extra: Record<string, unknown> = {}) => ({
    model: "gpt-test",
    input: [
      { role: "system", content: "You are opencode." },
      { role: "user", content: [{ type: "input_text", text: "hi" }] },
    ],
    tools: [{ type: "function", name: "bash", parameters: { type: "object" } }],
    stream: true,
    ...extra,
  }),
  anthropic: (extra: Record<string, unknown> = {}) => ({
    model: "claude-test",
    max_tokens: 1000,
    system: [{ type: "text", text: "You are OpenCode." }],
    messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
    tools: [{ name: "bash", input_schema: { type: "object" } }],
    stream: true,
    ...extra,
  }),
  google: (extra: Record<string, unknown> = {}) => ({
    systemInstruction: { parts: [{ text: "You are opencode." }] },
    contents: [{ role: "user", parts: [{ text: "hi" }] }],
    tools: [{ functionDeclarations: [{ name: "bash" }] }],
    ...extra,
  }),
};

export const TITLE_SYSTEM =
  "You are a title generator. You output ONLY a thread title. Nothing else.\n\n<task>\nGenerate a brief title";
