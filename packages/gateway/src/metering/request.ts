// Streaming chat completions only report usage when asked. OpenCode's openai-compatible provider
// always asks; its OpenRouter title call does not, so the gateway adds the request itself. The body
// is edited in place, member by member, so that everything else reaches the provider byte for byte.
import type { WireFormat } from "./types.ts";

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The request body to send upstream. For streaming chat completions it asks for usage
 * (`stream_options.include_usage`, and `usage.include` for OpenRouter), keeping the other fields of
 * those objects; otherwise, and when usage is already requested, it returns the same Buffer. Other
 * formats always report usage, so their bodies are returned as they are without being parsed.
 * Null when a chat completions body is not JSON: forward it unchanged.
 */
export function withUsageRequested(format: WireFormat, provider: string, body: Buffer): Buffer | null {
  if (format !== "chat-completions") return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return null;
  }
  if (!isObject(parsed) || parsed.stream !== true) return body;

  const wanted: [string, JsonObject][] = [];
  const streamOptions = parsed.stream_options;
  if (!(isObject(streamOptions) && streamOptions.include_usage === true)) {
    wanted.push([
      "stream_options",
      { ...(isObject(streamOptions) ? streamOptions : {}), include_usage: true },
    ]);
  }
  const usage = parsed.usage;
  if (provider === "openrouter" && !(isObject(usage) && usage.include === true)) {
    wanted.push(["usage", { ...(isObject(usage) ? usage : {}), include: true }]);
  }
  return wanted.length === 0 ? body : setMembers(body, wanted);
}

interface Member {
  key: string;
  start: number;
  end: number;
}

const isSpace = (byte: number | undefined) => byte === 32 || byte === 10 || byte === 13 || byte === 9;

function skipSpace(buf: Buffer, i: number): number {
  while (i < buf.length && isSpace(buf[i])) i++;
  return i;
}

// Index just past the string starting at `i` (a quote).
function skipString(buf: Buffer, i: number): number {
  for (i++; i < buf.length; i++) {
    if (buf[i] === 0x5c) i++;
    else if (buf[i] === 0x22) return i + 1;
  }
  return i;
}

// Index just past the value starting at `i`. The body already parsed as JSON, so no checks; UTF-8
// continuation bytes never equal the ASCII bytes looked for.
function skipValue(buf: Buffer, i: number): number {
  if (buf[i] === 0x22) return skipString(buf, i);
  let depth = 0;
  for (; i < buf.length; i++) {
    const byte = buf[i];
    if (byte === 0x22) {
      i = skipString(buf, i) - 1;
    } else if (byte === 0x7b || byte === 0x5b) depth++;
    else if (byte === 0x7d || byte === 0x5d) {
      if (depth === 0) return i;
      depth--;
      if (depth === 0) return i + 1;
    } else if (depth === 0 && (byte === 0x2c || isSpace(byte))) return i;
  }
  return i;
}

/** The root object's opening brace and its members' value spans (byte offsets). */
function rootMembers(buf: Buffer): { open: number; members: Member[] } {
  const open = skipSpace(buf, 0);
  const members: Member[] = [];
  let i = skipSpace(buf, open + 1);
  while (i < buf.length && buf[i] === 0x22) {
    const keyEnd = skipString(buf, i);
    const key = JSON.parse(buf.subarray(i, keyEnd).toString("utf8")) as string;
    const start = skipSpace(buf, skipSpace(buf, keyEnd) + 1); // past the colon
    const end = skipValue(buf, start);
    members.push({ key, start, end });
    i = skipSpace(buf, end);
    if (buf[i] !== 0x2c) break;
    i = skipSpace(buf, i + 1);
  }
  return { open, members };
}

/** Replaces the values of the given root members (every occurrence) or adds them at the front. */
function setMembers(body: Buffer, wanted: [string, JsonObject][]): Buffer {
  const { open, members } = rootMembers(body);
  const edits: { start: number; end: number; text: string }[] = [];
  const added: string[] = [];
  for (const [key, value] of wanted) {
    const existing = members.filter((member) => member.key === key);
    for (const member of existing)
      edits.push({ start: member.start, end: member.end, text: JSON.stringify(value) });
    if (existing.length === 0) added.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
  }
  if (added.length > 0) {
    const text = added.join(",") + (members.length > 0 ? "," : "");
    edits.push({ start: open + 1, end: open + 1, text });
  }
  edits.sort((a, b) => a.start - b.start);
  const parts: Buffer[] = [];
  let at = 0;
  for (const edit of edits) {
    parts.push(body.subarray(at, edit.start), Buffer.from(edit.text, "utf8"));
    at = edit.end;
  }
  parts.push(body.subarray(at));
  return Buffer.concat(parts);
}
