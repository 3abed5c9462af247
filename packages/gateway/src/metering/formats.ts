// Where each wire format puts usage, the model name and generated text, as rules over the scalars
// of one document: an SSE event's data, a whole JSON body, or one element of Google's JSON-array
// stream. Paths are relative to that document.
import type { PathKey, Scalar } from "./json-scanner.ts";
import type { MeteredUsage, WireFormat } from "./types.ts";

/** What one document contributed; committed to the meter once the document is complete. */
export interface Doc {
  /** Numeric fields of the usage object, keyed by their dotted path inside it. */
  usage: Record<string, number> | null;
  model: string | null;
  /** The event's `type` field (Anthropic, Responses). */
  type: string | null;
  /** Generated characters counted whatever the event type. */
  chars: number;
  /** Characters of a top-level `delta`, counted only for the event types that carry text. */
  deltaChars: number;
  /** The document ends the output (Google: a finish reason was seen). */
  finished: boolean;
  /** A choice is still streaming (chat completions: `finish_reason: null`). */
  streaming: boolean;
}

export const newDoc = (): Doc => ({
  usage: null,
  model: null,
  type: null,
  chars: 0,
  deltaChars: 0,
  finished: false,
  streaming: false,
});

export interface FormatRules {
  value(doc: Doc, path: readonly PathKey[], value: Scalar, length: number): void;
  /** Generated characters of a document. */
  chars(doc: Doc): number;
  /** Whether a document carrying usage is the final usage report rather than a partial one. */
  isFinal(doc: Doc): boolean;
  /** True when usage reports are cumulative per field (Anthropic); false when the latest replaces all. */
  mergeFields: boolean;
  toUsage(raw: Record<string, number>): MeteredUsage;
}

function recordUsage(doc: Doc, path: readonly PathKey[], from: number, value: Scalar): void {
  if (typeof value !== "number" || path.length <= from) return;
  doc.usage ??= {};
  doc.usage[path.slice(from).join(".")] = value;
}

function recordModel(doc: Doc, value: Scalar): void {
  if (typeof value === "string" && value && doc.model === null) doc.model = value;
}

// Some OpenAI-compatible providers (xAI) count reasoning outside completion/output tokens; their
// total gives it away: total = input + output + reasoning instead of input + output.
function outputWithReasoning(raw: Record<string, number>, input: number, output: number, reasoning: number) {
  const total = raw.total_tokens;
  return reasoning > 0 && total === input + output + reasoning ? output + reasoning : output;
}

const CHAT_TEXT_FIELDS = new Set(["content", "reasoning", "reasoning_content", "refusal"]);

const chatCompletions: FormatRules = {
  value(doc, path, value, length) {
    const [first] = path;
    if (first === "usage") return recordUsage(doc, path, 1, value);
    if (first === "model" && path.length === 1) return recordModel(doc, value);
    if (first !== "choices") return;
    if (path.length === 3 && path[2] === "finish_reason") {
      if (value === null) doc.streaming = true;
      return;
    }
    if (typeof value !== "string" || (path[2] !== "delta" && path[2] !== "message")) return;
    // choices.i.delta.content, or choices.i.delta.tool_calls.j.function.arguments
    const text = path.length === 4 && CHAT_TEXT_FIELDS.has(path[3] as string);
    const args = path.length === 7 && path[3] === "tool_calls" && path[6] === "arguments";
    if (text || args) doc.chars += length;
  },
  chars: (doc) => doc.chars,
  // Providers that send usage with every chunk (vLLM's continuous usage stats) are final only with
  // the last one; OpenAI's usage chunk has no choices at all.
  isFinal: (doc) => !doc.streaming,
  mergeFields: false,
  toUsage(raw) {
    const input = raw.prompt_tokens ?? 0;
    const reasoning = raw["completion_tokens_details.reasoning_tokens"] ?? 0;
    return {
      inputTokens: input,
      outputTokens: outputWithReasoning(raw, input, raw.completion_tokens ?? 0, reasoning),
      cachedTokens: raw["prompt_tokens_details.cached_tokens"] ?? 0,
      reasoningTokens: reasoning,
    };
  },
};

// Responses API events that carry generated text in `delta` (not response.audio.delta: base64).
const isTextDelta = (type: string | null) =>
  type?.endsWith(".delta") === true && type !== "response.audio.delta";

const responses: FormatRules = {
  value(doc, path, value, length) {
    // Streamed events wrap the response object in `response`; a non-streaming body is that object.
    const at = path[0] === "response" ? 1 : 0;
    if (path[at] === "usage") return recordUsage(doc, path, at + 1, value);
    if (path[at] === "model" && path.length === at + 1) return recordModel(doc, value);
    if (at === 1) return; // the final response repeats the output already counted from the deltas
    if (path.length === 1 && typeof value === "string") {
      if (path[0] === "type") doc.type = value;
      else if (path[0] === "delta") doc.deltaChars += length;
      return;
    }
    // Non-streaming: output.i.content.j.text, output.i.summary.j.text, output.i.arguments
    if (path[0] !== "output" || typeof value !== "string") return;
    const text = path.length === 5 && (path[2] === "content" || path[2] === "summary") && path[4] === "text";
    if (text || (path.length === 3 && path[2] === "arguments")) doc.chars += length;
  },
  chars: (doc) => doc.chars + (isTextDelta(doc.type) ? doc.deltaChars : 0),
  // Usage appears only in the terminal event (response.completed, .incomplete or .failed).
  isFinal: () => true,
  mergeFields: false,
  toUsage(raw) {
    const input = raw.input_tokens ?? 0;
    const reasoning = raw["output_tokens_details.reasoning_tokens"] ?? 0;
    return {
      inputTokens: input,
      outputTokens: outputWithReasoning(raw, input, raw.output_tokens ?? 0, reasoning),
      cachedTokens: raw["input_tokens_details.cached_tokens"] ?? 0,
      reasoningTokens: reasoning,
    };
  },
};

const ANTHROPIC_DELTA_FIELDS = new Set(["text", "thinking", "partial_json"]);

const anthropic: FormatRules = {
  value(doc, path, value, length) {
    // message_start wraps the message in `message`; a non-streaming body is the message.
    const at = path[0] === "message" ? 1 : 0;
    if (path[at] === "usage") return recordUsage(doc, path, at + 1, value);
    if (path[at] === "model" && path.length === at + 1) return recordModel(doc, value);
    if (typeof value !== "string") return;
    if (path.length === 1 && path[0] === "type") doc.type = value;
    else if (path.length === 2 && path[0] === "delta" && ANTHROPIC_DELTA_FIELDS.has(path[1] as string))
      doc.chars += length;
    // Non-streaming: content.i.text / .thinking, and the strings inside a tool_use input.
    else if (at === 0 && path[0] === "content") {
      const text = path.length === 3 && (path[2] === "text" || path[2] === "thinking");
      if (text || (path.length > 3 && path[2] === "input")) doc.chars += length;
    }
  },
  chars: (doc) => doc.chars,
  // message_start reports the input (and a placeholder output count); message_delta the final
  // output, and, in newer API versions, the input fields again.
  isFinal: (doc) => doc.type !== "message_start",
  mergeFields: true,
  toUsage(raw) {
    const cacheRead = raw.cache_read_input_tokens ?? 0;
    return {
      // Anthropic's input_tokens exclude cache reads and cache writes.
      inputTokens: (raw.input_tokens ?? 0) + cacheRead + (raw.cache_creation_input_tokens ?? 0),
      outputTokens: raw.output_tokens ?? 0,
      cachedTokens: cacheRead,
      // Thinking tokens are billed as output but not reported apart.
      reasoningTokens: 0,
    };
  },
};

const google: FormatRules = {
  value(doc, path, value, length) {
    const [first] = path;
    if (first === "usageMetadata") {
      // Only the top-level counts; the per-modality details would repeat them.
      if (path.length === 2) recordUsage(doc, path, 1, value);
      return;
    }
    if (first === "modelVersion" && path.length === 1) return recordModel(doc, value);
    if (first !== "candidates" || typeof value !== "string") return;
    if (path.length === 3 && path[2] === "finishReason") doc.finished = true;
    // candidates.i.content.parts.j.text, or a string inside .functionCall (name, args)
    else if (path[2] === "content" && path[3] === "parts") {
      const text = path.length === 6 && path[5] === "text";
      if (text || (path.length > 6 && path[5] === "functionCall")) doc.chars += length;
    }
  },
  chars: (doc) => doc.chars,
  // Every chunk may carry usageMetadata; only the one with the finish reason has the output counts.
  isFinal: (doc) => doc.finished,
  mergeFields: false,
  toUsage(raw) {
    const thoughts = raw.thoughtsTokenCount ?? 0;
    return {
      // Prompt tokens include the cached content; tool-use prompt tokens are billed as input too.
      inputTokens: (raw.promptTokenCount ?? 0) + (raw.toolUsePromptTokenCount ?? 0),
      outputTokens: (raw.candidatesTokenCount ?? 0) + thoughts,
      cachedTokens: raw.cachedContentTokenCount ?? 0,
      reasoningTokens: thoughts,
    };
  },
};

export const FORMAT_RULES: Record<WireFormat, FormatRules> = {
  "chat-completions": chatCompletions,
  responses,
  anthropic,
  google,
};
