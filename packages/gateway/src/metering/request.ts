// Streaming chat completions only report usage when asked. OpenCode's openai-compatible provider
// always asks; its OpenRouter title call does not, so the gateway adds the request itself. The body
// is edited in place, member by member, so that everything else reaches the provider byte for byte.
import { memberValue, type RootMembers, rootMembers } from "./request-body.ts";
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
export function withUsageRequested(
  format: WireFormat,
  provider: string,
  body: Buffer,
  /** The body's members, when the caller has scanned it already. */
  scanned?: RootMembers | null,
): Buffer | null {
  if (format !== "chat-completions") return body;
  const root = scanned === undefined ? rootMembers(body) : scanned;
  if (!root) return null;
  if (memberValue(body, root, "stream") !== true) return body;

  const wanted: [string, JsonObject][] = [];
  const streamOptions = memberValue(body, root, "stream_options");
  if (!(isObject(streamOptions) && streamOptions.include_usage === true)) {
    wanted.push([
      "stream_options",
      { ...(isObject(streamOptions) ? streamOptions : {}), include_usage: true },
    ]);
  }
  const usage = memberValue(body, root, "usage");
  if (provider === "openrouter" && !(isObject(usage) && usage.include === true)) {
    wanted.push(["usage", { ...(isObject(usage) ? usage : {}), include: true }]);
  }
  return wanted.length === 0 ? body : setMembers(body, root, wanted);
}

/** Replaces the values of the given root members (every occurrence) or adds them at the front. */
function setMembers(body: Buffer, { open, members }: RootMembers, wanted: [string, JsonObject][]): Buffer {
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
