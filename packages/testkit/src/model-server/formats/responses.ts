import type { CollectedReply, PlannedToolCall } from "../script.ts";
import type { FinishReason, ScriptedUsage } from "../types.ts";
import {
  type FormatHandler,
  hexId,
  type JsonObject,
  openAiErrorKind,
  type RequestContext,
  sseEvent,
} from "./common.ts";

function usageJson(usage: Required<ScriptedUsage>): JsonObject {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

// OpenCode asks for encrypted reasoning on reasoning models (`store: false`) and replays it in the
// next request; an opaque placeholder is enough for it to round-trip.
function wantsEncryptedReasoning(body: JsonObject): boolean {
  return Array.isArray(body.include) && body.include.includes("reasoning.encrypted_content");
}

function responseObject(ctx: RequestContext, id: string, created: number): JsonObject {
  const { body } = ctx;
  return {
    id,
    object: "response",
    created_at: created,
    model: ctx.model,
    status: "in_progress",
    error: null,
    incomplete_details: null,
    instructions: typeof body.instructions === "string" ? body.instructions : null,
    max_output_tokens: body.max_output_tokens ?? null,
    output: [],
    parallel_tool_calls: true,
    previous_response_id: null,
    store: body.store ?? false,
    temperature: body.temperature ?? 1,
    tool_choice: body.tool_choice ?? "auto",
    tools: body.tools ?? [],
    top_p: 1,
    truncation: "disabled",
    usage: null,
    metadata: {},
  };
}

const textItem = (id: string, text: string, status: string) => ({
  id,
  type: "message",
  status,
  role: "assistant",
  content: [{ type: "output_text", annotations: [], logprobs: [], text }],
});

const reasoningItem = (ctx: RequestContext, id: string, text: string) => ({
  id,
  type: "reasoning",
  summary: text ? [{ type: "summary_text", text }] : [],
  ...(wantsEncryptedReasoning(ctx.body) ? { encrypted_content: `scripted-${id}` } : {}),
});

const functionItem = (call: PlannedToolCall, id: string, callId: string, args: string, status: string) => ({
  id,
  type: "function_call",
  status,
  arguments: args,
  call_id: callId,
  name: call.name,
});

function finalResponse(
  base: JsonObject,
  output: JsonObject[],
  reason: FinishReason,
  usage: Required<ScriptedUsage>,
): JsonObject {
  const incomplete = reason === "length";
  return {
    ...base,
    status: incomplete ? "incomplete" : "completed",
    incomplete_details: incomplete ? { reason: "max_output_tokens" } : null,
    output,
    usage: usageJson(usage),
  };
}

function createEncoder(ctx: RequestContext) {
  const base = responseObject(ctx, `resp_${hexId()}`, Math.floor(Date.now() / 1000));
  const output: JsonObject[] = [];
  let sequence = 0;
  const ev = (type: string, data: JsonObject) =>
    sseEvent(type, { type, sequence_number: sequence++, ...data });
  let open: { kind: "message" | "reasoning"; id: string; index: number; text: string } | undefined;
  const calls = new Map<PlannedToolCall, { id: string; callId: string; index: number; args: string }>();

  const close = (): string => {
    if (!open) return "";
    const { kind, id, index, text } = open;
    open = undefined;
    const at = { item_id: id, output_index: index };
    if (kind === "message") {
      const item = textItem(id, text, "completed");
      output.push(item);
      const part = { type: "output_text", annotations: [], logprobs: [], text };
      return (
        ev("response.output_text.done", { ...at, content_index: 0, text, logprobs: [] }) +
        ev("response.content_part.done", { ...at, content_index: 0, part }) +
        ev("response.output_item.done", { output_index: index, item })
      );
    }
    const item = reasoningItem(ctx, id, text);
    output.push(item);
    const part = { type: "summary_text", text };
    return (
      ev("response.reasoning_summary_text.done", { ...at, summary_index: 0, text }) +
      ev("response.reasoning_summary_part.done", { ...at, summary_index: 0, part }) +
      ev("response.output_item.done", { output_index: index, item })
    );
  };

  const ensureOpen = (kind: "message" | "reasoning"): string => {
    if (open?.kind === kind) return "";
    let out = close();
    const id = `${kind === "message" ? "msg" : "rs"}_${hexId()}`;
    open = { kind, id, index: output.length, text: "" };
    const at = { item_id: id, output_index: open.index };
    if (kind === "message") {
      out += ev("response.output_item.added", {
        output_index: open.index,
        item: { ...textItem(id, "", "in_progress"), content: [] },
      });
      out += ev("response.content_part.added", {
        ...at,
        content_index: 0,
        part: { type: "output_text", annotations: [], logprobs: [], text: "" },
      });
    } else {
      out += ev("response.output_item.added", { output_index: open.index, item: reasoningItem(ctx, id, "") });
      out += ev("response.reasoning_summary_part.added", {
        ...at,
        summary_index: 0,
        part: { type: "summary_text", text: "" },
      });
    }
    return out;
  };

  return {
    start: () => ev("response.created", { response: base }) + ev("response.in_progress", { response: base }),
    reasoning(delta: string) {
      const out = ensureOpen("reasoning");
      open!.text += delta;
      const at = { item_id: open!.id, output_index: open!.index };
      return out + ev("response.reasoning_summary_text.delta", { ...at, summary_index: 0, delta });
    },
    text(delta: string) {
      const out = ensureOpen("message");
      open!.text += delta;
      const at = { item_id: open!.id, output_index: open!.index };
      return out + ev("response.output_text.delta", { ...at, content_index: 0, delta, logprobs: [] });
    },
    toolCallStart(call: PlannedToolCall) {
      const out = close();
      const entry = {
        id: `fc_${hexId()}`,
        callId: call.id || `call_${hexId()}`,
        index: output.length,
        args: "",
      };
      calls.set(call, entry);
      // Reserve the slot so later items get the next output_index.
      output.push({});
      const item = functionItem(call, entry.id, entry.callId, "", "in_progress");
      return out + ev("response.output_item.added", { output_index: entry.index, item });
    },
    toolCallDelta(call: PlannedToolCall, delta: string) {
      const entry = calls.get(call)!;
      entry.args += delta;
      return ev("response.function_call_arguments.delta", {
        item_id: entry.id,
        output_index: entry.index,
        delta,
      });
    },
    toolCallEnd(call: PlannedToolCall) {
      const entry = calls.get(call)!;
      const item = functionItem(call, entry.id, entry.callId, entry.args, "completed");
      output[entry.index] = item;
      const at = { item_id: entry.id, output_index: entry.index };
      return (
        ev("response.function_call_arguments.done", { ...at, arguments: entry.args }) +
        ev("response.output_item.done", { output_index: entry.index, item })
      );
    },
    finish(reason: FinishReason, usage: Required<ScriptedUsage>) {
      const out = close();
      const type = reason === "length" ? "response.incomplete" : "response.completed";
      return out + ev(type, { response: finalResponse(base, output, reason, usage) });
    },
    error(status: number, message: string) {
      const { code } = openAiErrorKind(status);
      return ev("error", { code: code ?? String(status), message, param: null });
    },
  };
}

function nonStreamOutput(ctx: RequestContext, reply: CollectedReply): JsonObject[] {
  const output: JsonObject[] = [];
  if (reply.reasoning) output.push(reasoningItem(ctx, `rs_${hexId()}`, reply.reasoning));
  if (reply.text) output.push(textItem(`msg_${hexId()}`, reply.text, "completed"));
  for (const call of reply.toolCalls) {
    output.push(
      functionItem(call, `fc_${hexId()}`, call.id || `call_${hexId()}`, call.arguments, "completed"),
    );
  }
  return output;
}

export const responses: FormatHandler = {
  format: "responses",
  streamContentType: () => "text/event-stream; charset=utf-8",
  isStream: (body) => body.stream === true,
  model: (body) => (typeof body.model === "string" ? body.model : undefined),
  createEncoder,
  nonStreamBody(ctx, reply, reason, usage) {
    const base = responseObject(ctx, `resp_${hexId()}`, Math.floor(Date.now() / 1000));
    return finalResponse(base, nonStreamOutput(ctx, reply), reason, usage);
  },
  errorBody: (status, message) => ({ error: { message, ...openAiErrorKind(status), param: null } }),
};
