// The replies recorded while OpenCode talked to each provider's format (see
// /work/shared/notes/gateway-wire.md), replayed through the meter. Skipped where the notes are absent.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { GatewayProvider } from "../upstreams.ts";
import { createUsageMeter, wireFormatFor, withUsageRequested } from "./index.ts";
import { randomChunks } from "./test-support.ts";

const DIR = "/work/shared/notes/gateway-transcripts";

interface Recorded {
  n: number;
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
  response: {
    status: number;
    headers: Record<string, string>;
    events?: { event?: string; data: unknown }[];
    json?: unknown;
    note?: string;
  };
}

// Which gateway provider each recording stands for (Ollama is a custom endpoint).
const PROVIDERS: Record<string, GatewayProvider> = {
  anthropic: "anthropic",
  openai: "openai",
  xai: "xai",
  google: "google",
  openrouter: "openrouter",
  ollama: "custom",
};

const load = (label: string): Recorded[] =>
  readFileSync(join(DIR, `${label}.jsonl`), "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Recorded);

function wireBytes({ response }: Recorded): Buffer {
  if (!response.events) return Buffer.from(JSON.stringify(response.json));
  const text = response.events
    .map(({ event, data }) => {
      const payload = typeof data === "string" ? data : JSON.stringify(data);
      return `${event ? `event: ${event}\n` : ""}data: ${payload}\n\n`;
    })
    .join("");
  return Buffer.from(text);
}

// The recorder numbered its answers: call n reported 1000 + n input and 20 + n output tokens, the
// Google ones 5 thought tokens on top. OpenRouter's title calls asked for no usage and got none.
function expected(label: string, record: Recorded) {
  if (record.response.status !== 200 || record.response.note?.includes("NOT sent")) return null;
  const thoughts = label === "google" ? 5 : 0;
  return {
    inputTokens: 1000 + record.n,
    outputTokens: 20 + record.n + thoughts,
    cachedTokens: 0,
    reasoningTokens: thoughts,
  };
}

describe.skipIf(!existsSync(DIR))("recorded transcripts", () => {
  it.each(Object.keys(PROVIDERS))("%s: every reply is metered as recorded", (label) => {
    const records = load(label);
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      const format = wireFormatFor(PROVIDERS[label]!, record.method, record.path);
      expect(format, `${label} #${record.n} ${record.path}`).not.toBeNull();
      const bytes = wireBytes(record);
      for (const chunks of [[bytes], randomChunks(bytes, record.n, 17)]) {
        const meter = createUsageMeter(format!, record.response.headers["content-type"]);
        for (const chunk of chunks) meter.push(chunk);
        const result = meter.result();
        expect(result.reported, `${label} #${record.n}`).toEqual(expected(label, record));
        if (result.reported) {
          const model = record.body.model ?? /models\/([^:]+):/.exec(record.path)?.[1];
          expect(result.model).toBe(model);
          expect(result.outputChars).toBeGreaterThan(0);
        }
      }
    }
  });

  it("the requests that asked for no usage are made to ask for it, the others pass as they are", () => {
    for (const label of ["openrouter", "ollama"]) {
      for (const record of load(label)) {
        const body = Buffer.from(JSON.stringify(record.body));
        const out = withUsageRequested("chat-completions", PROVIDERS[label]!, body)!;
        const parsed = JSON.parse(out.toString());
        expect(parsed.stream_options).toEqual({ include_usage: true });
        if (label === "openrouter") expect(parsed.usage).toEqual({ include: true });
        else expect(out).toBe(body);
        expect({ ...parsed, stream_options: undefined, usage: undefined }).toEqual({
          ...record.body,
          stream_options: undefined,
          usage: undefined,
        });
      }
    }
  });
});
