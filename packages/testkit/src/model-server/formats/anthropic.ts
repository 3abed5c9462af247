import type { PlannedToolCall } from "../script.ts";
import type { FinishReason, ScriptedUsage } from "../types.ts";
import {
  type FormatHandler,
  hexId,
  type JsonObject,
  parseArguments,
  type RequestContext,
  sseEvent,
} from "./common.ts";

const STOP_REASON: Record<FinishReason, string> = {
  stop: "end_turn",
  tool_calls: "tool_use",
  length: "max_tokens",
};

function errorType(status: number): string {
  const types: Record<number, string> = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
  };
  return types[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

// Anthropic's input_tokens exclude cache reads, which are reported beside them.
function inputUsage(usage: Required<ScriptedUsage>): JsonObject {
  return {
    input_tokens: Math.max(0, usage.inputTokens - usage.cachedTokens),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: usage.cachedTokens,
  };
}

// OpenCode keeps the signature and sends the thinking block back on the next turn; any opaque
// string will do for a scripted model.
const signature = () => `scripted-signature-${hexId(8)}`;

function createEncoder(ctx: RequestContext) {
  let blockCount = 0;
  let open: "thinking" | "text" | undefined;
  const calls = new Map<PlannedToolCall, number>();

  const startBlock = (block: JsonObject): string => {
    const index = blockCount++;
    const out = sseEvent("content_block_start", { type: "content_block_start", index, content_block: block });
    // Like the real API: one ping after the first block starts.
    return index === 0 ? out + sseEvent("ping", { type: "ping" }) : out;
  };
  const delta = (index: number, body: JsonObject) =>
    sseEvent("content_block_delta", { type: "content_block_delta", index, delta: body });
  const stopBlock = (index: number) => sseEvent("content_block_stop", { type: "content_block_stop", index });

  const close = (): string => {
    if (!open) return "";
    const index = blockCount - 1;
    const wasThinking = open === "thinking";
    open = undefined;
    return (
      (wasThinking ? delta(index, { type: "signature_delta", signature: signature() }) : "") +
      stopBlock(index)
    );
  };
  const ensureOpen = (kind: "thinking" | "text"): string => {
    if (open === kind) return "";
    const out = close();
    open = kind;
    return (
      out +
      startBlock(
        kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "", signature: "" },
      )
    );
  };

  return {
    start: (usage: Required<ScriptedUsage>) =>
      sseEvent("message_start", {
        type: "message_start",
        message: {
          id: `msg_${hexId()}`,
          type: "message",
          role: "assistant",
          model: ctx.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...inputUsage(usage), output_tokens: 1, service_tier: "standard" },
        },
      }),
    reasoning: (text: string) =>
      ensureOpen("thinking") + delta(blockCount - 1, { type: "thinking_delta", thinking: text }),
    text: (text: string) => ensureOpen("text") + delta(blockCount - 1, { type: "text_delta", text }),
    toolCallStart(call: PlannedToolCall) {
      const out = close();
      calls.set(call, blockCount);
      const id = call.id || `toolu_${hexId()}`;
      return out + startBlock({ type: "tool_use", id, name: call.name, input: {} });
    },
    toolCallDelta: (call: PlannedToolCall, partial: string) =>
      delta(calls.get(call)!, { type: "input_json_delta", partial_json: partial }),
    toolCallEnd: (call: PlannedToolCall) => stopBlock(calls.get(call)!),
    finish: (reason: FinishReason, usage: Required<ScriptedUsage>) =>
      close() +
      sseEvent("message_delta", {
        type: "message_delta",
        delta: { stop_reason: STOP_REASON[reason], stop_sequence: null },
        usage: { output_tokens: usage.outputTokens },
      }) +
      sseEvent("message_stop", { type: "message_stop" }),
    error: (status: number, message: string) =>
      sseEvent("error", { type: "error", error: { type: errorType(status), message } }),
  };
}

export const anthropic: FormatHandler = {
  format: "anthropic",
  streamContentType: () => "text/event-stream; charset=utf-8",
  isStream: (body) => body.stream === true,
  model: (body) => (typeof body.model === "string" ? body.model : undefined),
  createEncoder,
  nonStreamBody(ctx, reply, reason, usage) {
    const content: JsonObject[] = [];
    if (reply.reasoning)
      content.push({ type: "thinking", thinking: reply.reasoning, signature: signature() });
    if (reply.text) content.push({ type: "text", text: reply.text });
    for (const call of reply.toolCalls) {
      content.push({
        type: "tool_use",
        id: call.id || `toolu_${hexId()}`,
        name: call.name,
        input: parseArguments(call.arguments),
      });
    }
    return {
      id: `msg_${hexId()}`,
      type: "message",
      role: "assistant",
      model: ctx.model,
      content,
      stop_reason: STOP_REASON[reason],
      stop_sequence: null,
      usage: { ...inputUsage(usage), output_tokens: usage.outputTokens },
    };
  },
  errorBody: (status, message) => ({ type: "error", error: { type: errorType(status), message } }),
};
