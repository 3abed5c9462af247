import type { PlannedToolCall } from "../script.ts";
import type { FinishReason, ScriptedUsage } from "../types.ts";
import {
  type FormatHandler,
  hexId,
  type JsonObject,
  openAiErrorKind,
  type RequestContext,
  sseData,
} from "./common.ts";

function usageJson(usage: Required<ScriptedUsage>): JsonObject {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

// OpenRouter only sends the usage chunk when asked, either way of asking.
function wantsUsage(body: JsonObject): boolean {
  const streamOptions = body.stream_options as JsonObject | undefined;
  const usage = body.usage as JsonObject | undefined;
  return streamOptions?.include_usage === true || usage?.include === true;
}

const reasoningField = (ctx: RequestContext) => ctx.options.chatReasoningField ?? "reasoning";

function createEncoder(ctx: RequestContext) {
  const id = `chatcmpl-${hexId()}`;
  const created = Math.floor(Date.now() / 1000);
  const calls = new Map<PlannedToolCall, { index: number; id: string }>();
  const chunk = (delta: JsonObject, finishReason: FinishReason | null = null, extra: JsonObject = {}) =>
    sseData({
      id,
      object: "chat.completion.chunk",
      created,
      model: ctx.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...extra,
    });

  return {
    start: () => chunk({ role: "assistant", content: "" }),
    reasoning: (delta: string) => chunk({ [reasoningField(ctx)]: delta }),
    text: (delta: string) => chunk({ content: delta }),
    toolCallStart(call: PlannedToolCall) {
      const entry = { index: calls.size, id: call.id || `call_${hexId()}` };
      calls.set(call, entry);
      return chunk({
        tool_calls: [
          {
            index: entry.index,
            id: entry.id,
            type: "function",
            function: { name: call.name, arguments: "" },
          },
        ],
      });
    },
    toolCallDelta(call: PlannedToolCall, delta: string) {
      const index = calls.get(call)?.index ?? 0;
      return chunk({ tool_calls: [{ index, function: { arguments: delta } }] });
    },
    toolCallEnd: () => "",
    finish(reason: FinishReason, usage: Required<ScriptedUsage>) {
      let out = chunk({}, reason);
      if (wantsUsage(ctx.body)) {
        out += sseData({
          id,
          object: "chat.completion.chunk",
          created,
          model: ctx.model,
          choices: [],
          usage: usageJson(usage),
        });
      }
      return out + sseData("[DONE]");
    },
    error: (status: number, message: string) =>
      sseData({ error: { message, ...openAiErrorKind(status), param: null } }) + sseData("[DONE]"),
  };
}

export const chatCompletions: FormatHandler = {
  format: "chat-completions",
  streamContentType: () => "text/event-stream",
  isStream: (body) => body.stream === true,
  model: (body) => (typeof body.model === "string" ? body.model : undefined),
  createEncoder,
  nonStreamBody(ctx, reply, reason, usage) {
    const message: JsonObject = { role: "assistant", content: reply.text.length > 0 ? reply.text : null };
    if (reply.reasoning) message[reasoningField(ctx)] = reply.reasoning;
    if (reply.toolCalls.length > 0) {
      message.tool_calls = reply.toolCalls.map((call) => ({
        id: call.id || `call_${hexId()}`,
        type: "function",
        function: { name: call.name, arguments: call.arguments },
      }));
    }
    return {
      id: `chatcmpl-${hexId()}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: ctx.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: reason }],
      usage: usageJson(usage),
    };
  },
  errorBody: (status, message) => ({ error: { message, ...openAiErrorKind(status), param: null } }),
};
