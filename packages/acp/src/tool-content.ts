// ACP tool-call fields → the studio's shapes. Agents differ in what they fill in (opencode sends
// locations and kind on every update, claude-agent-acp sometimes sends an update with nothing but
// `_meta`), so every reader here tolerates missing or malformed fields instead of throwing.
import type { ToolCallStatus, ToolContent } from "./events.ts";

type Location = { path: string; line?: number | null };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

const STATUSES = new Set<string>(["pending", "in_progress", "completed", "failed"]);

export function toolStatus(value: unknown): ToolCallStatus | undefined {
  return typeof value === "string" && STATUSES.has(value) ? (value as ToolCallStatus) : undefined;
}

/** A content block as text, where it has a textual form (images and audio have none). */
export function blockText(block: unknown): string | undefined {
  if (!isRecord(block)) return undefined;
  if (block.type === "text") return str(block.text);
  if (block.type === "resource_link") return str(block.uri);
  if (block.type === "resource" && isRecord(block.resource))
    return str(block.resource.text) ?? str(block.resource.uri);
  return undefined;
}

/** ACP ToolCallContent[]: `content` (wrapping a content block), `diff`, `terminal`. */
export function toolContent(items: unknown): ToolContent[] {
  if (!Array.isArray(items)) return [];
  const out: ToolContent[] = [];
  for (const item of items) {
    if (!isRecord(item)) continue;
    if (item.type === "content") {
      const text = blockText(item.content);
      if (text !== undefined) out.push({ type: "text", text });
    } else if (item.type === "diff") {
      const path = str(item.path);
      const newText = str(item.newText);
      if (path !== undefined && newText !== undefined) {
        out.push({ type: "diff", path, oldText: str(item.oldText) ?? null, newText });
      }
    } else if (item.type === "terminal") {
      const terminalId = str(item.terminalId);
      if (terminalId !== undefined) out.push({ type: "terminal", terminalId });
    }
  }
  return out;
}

/**
 * A Codex shell call's output: codex-acp (the client offering no terminal) sends it only in the
 * finished call's rawOutput {aggregated_output, formatted_output, stdout, stderr, exit_code}.
 * `aggregated_output` is stdout and stderr as they interleaved, `formatted_output` what the model
 * was shown (possibly cut). Other agents' rawOutput has neither, and gets undefined.
 */
export function execOutputText(rawOutput: unknown): string | undefined {
  if (!isRecord(rawOutput)) return undefined;
  const text = str(rawOutput.aggregated_output) || str(rawOutput.formatted_output);
  return text || undefined;
}

export function toolLocations(items: unknown): Location[] {
  if (!Array.isArray(items)) return [];
  const out: Location[] = [];
  for (const item of items) {
    const path = isRecord(item) ? str(item.path) : undefined;
    if (!isRecord(item) || path === undefined) continue;
    const line = Number.isInteger(item.line) ? (item.line as number) : null;
    out.push(item.line === undefined ? { path } : { path, line });
  }
  return out;
}

/** Token counts must be integers in the studio log; agents send JSON numbers. */
export function int(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? Math.trunc(value) : null;
}
