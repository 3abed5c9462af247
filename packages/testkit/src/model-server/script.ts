import type {
  FinishReason,
  ScriptedReply,
  ScriptedReplyObject,
  ScriptedToolCall,
  ScriptedUsage,
  ScriptStep,
} from "./types.ts";

export interface PlannedToolCall {
  /** Empty when the script gave none: each format fills in an id in its own style. */
  id: string;
  name: string;
  arguments: string;
  argumentChunks: string[];
}

/** A reply flattened into what the stream drivers emit, independent of the wire format. */
export type Action =
  | { kind: "reasoning"; chunks: string[] }
  | { kind: "text"; chunks: string[] }
  | { kind: "toolCalls"; calls: PlannedToolCall[] }
  | { kind: "delay"; ms: number }
  | { kind: "awaitTitle"; ms: number }
  | { kind: "hang" }
  | { kind: "error"; status: number; body: unknown; message: string };

export interface Plan {
  actions: Action[];
  finishReason: FinishReason;
  usage: Required<ScriptedUsage>;
  chunkDelayMs: number;
}

const DEFAULT_CHUNK_SIZE = 12;

export function textReply(text: string): ScriptedReply {
  return [{ text }];
}

export function toolCallReply(name: string, args: Record<string, unknown>): ScriptedReply {
  return [{ toolCall: { name, arguments: args } }];
}

/** `count` text chunks of `piece` each, e.g. for streaming benchmarks. */
export function manyChunks(count: number, piece = "tok "): ScriptStep {
  return { chunks: Array.from({ length: count }, () => piece) };
}

export function splitIntoChunks(text: string, size = DEFAULT_CHUNK_SIZE): string[] {
  if (text.length === 0) return [];
  const step = Math.max(1, Math.floor(size));
  const chunks: string[] = [];
  // Array.from keeps surrogate pairs together so no chunk carries half a character.
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i += step) chunks.push(chars.slice(i, i + step).join(""));
  return chunks;
}

function normaliseReply(reply: ScriptedReply): ScriptedReplyObject {
  return Array.isArray(reply) ? { steps: reply } : reply;
}

function planToolCall(call: ScriptedToolCall): PlannedToolCall {
  const args = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
  return {
    id: call.id ?? "",
    name: call.name,
    arguments: args,
    argumentChunks: call.argumentChunks ?? splitIntoChunks(args),
  };
}

function stepToAction(step: ScriptStep): Action {
  if ("text" in step) {
    return {
      kind: "text",
      chunks: Array.isArray(step.text) ? step.text : splitIntoChunks(step.text, step.chunkSize),
    };
  }
  if ("chunks" in step) return { kind: "text", chunks: step.chunks };
  if ("reasoning" in step) {
    const chunks = Array.isArray(step.reasoning)
      ? step.reasoning
      : splitIntoChunks(step.reasoning, step.chunkSize);
    return { kind: "reasoning", chunks };
  }
  if ("toolCall" in step) {
    const calls = Array.isArray(step.toolCall) ? step.toolCall : [step.toolCall];
    return { kind: "toolCalls", calls: calls.map(planToolCall) };
  }
  if ("delayMs" in step) return { kind: "delay", ms: step.delayMs };
  if ("awaitTitleMs" in step) return { kind: "awaitTitle", ms: step.awaitTitleMs };
  if ("hang" in step) return { kind: "hang" };
  const { status, body, message } = step.error;
  return { kind: "error", status, body, message: message ?? `Scripted upstream error ${status}` };
}

const tokensFor = (chars: number): number => Math.ceil(chars / 4);

export function planReply(reply: ScriptedReply, requestBytes: number): Plan {
  const { steps, usage, finishReason, chunkDelayMs } = normaliseReply(reply);
  const actions = steps.map(stepToAction);
  let outputChars = 0;
  let reasoningChars = 0;
  let hasToolCall = false;
  for (const action of actions) {
    if (action.kind === "text") outputChars += action.chunks.join("").length;
    if (action.kind === "reasoning") reasoningChars += action.chunks.join("").length;
    if (action.kind === "toolCalls") {
      hasToolCall = true;
      for (const call of action.calls) outputChars += call.name.length + call.arguments.length;
    }
  }
  const reasoningTokens = usage?.reasoningTokens ?? tokensFor(reasoningChars);
  return {
    actions,
    finishReason: finishReason ?? (hasToolCall ? "tool_calls" : "stop"),
    chunkDelayMs: chunkDelayMs ?? 0,
    usage: {
      inputTokens: usage?.inputTokens ?? Math.max(1, tokensFor(requestBytes)),
      outputTokens: usage?.outputTokens ?? Math.max(1, tokensFor(outputChars) + reasoningTokens),
      cachedTokens: usage?.cachedTokens ?? 0,
      reasoningTokens,
    },
  };
}

/** Everything a non-streaming reply carries, gathered from the actions. */
export interface CollectedReply {
  reasoning: string;
  text: string;
  toolCalls: PlannedToolCall[];
}

export function collect(actions: Action[]): CollectedReply {
  const out: CollectedReply = { reasoning: "", text: "", toolCalls: [] };
  for (const action of actions) {
    if (action.kind === "reasoning") out.reasoning += action.chunks.join("");
    if (action.kind === "text") out.text += action.chunks.join("");
    if (action.kind === "toolCalls") out.toolCalls.push(...action.calls);
  }
  return out;
}
