import type { CollectedReply, PlannedToolCall } from "../script.ts";
import type { FinishReason, ScriptedUsage } from "../types.ts";
import {
  type FormatHandler,
  hexId,
  type JsonObject,
  parseArguments,
  type RequestContext,
  sseData,
} from "./common.ts";

const MODEL_IN_PATH = /\/models\/([^/]+):(?:stream)?[gG]enerateContent$/;

// Google reports STOP for tool calls too; clients infer tool calls from the functionCall parts.
const FINISH: Record<FinishReason, string> = { stop: "STOP", tool_calls: "STOP", length: "MAX_TOKENS" };

function statusName(status: number): string {
  const names: Record<number, string> = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    503: "UNAVAILABLE",
  };
  return names[status] ?? (status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION");
}

const errorJson = (status: number, message: string) => ({
  error: { code: status, message, status: statusName(status) },
});

// Candidates exclude thoughts: output = candidates + thoughts.
function usageMetadata(usage: Required<ScriptedUsage>, final: boolean): JsonObject {
  const prompt = {
    promptTokenCount: usage.inputTokens,
    ...(usage.cachedTokens > 0 ? { cachedContentTokenCount: usage.cachedTokens } : {}),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: usage.inputTokens }],
  };
  if (!final) return { ...prompt, totalTokenCount: usage.inputTokens };
  return {
    ...prompt,
    candidatesTokenCount: Math.max(0, usage.outputTokens - usage.reasoningTokens),
    ...(usage.reasoningTokens > 0 ? { thoughtsTokenCount: usage.reasoningTokens } : {}),
    totalTokenCount: usage.inputTokens + usage.outputTokens,
  };
}

// Gemini 3 requires function calls to be echoed with their signature; OpenCode does so verbatim.
const thoughtSignature = () => Buffer.from(`scripted-thought-signature-${hexId(6)}`).toString("base64");

function functionCallPart(call: PlannedToolCall): JsonObject {
  return {
    functionCall: { name: call.name, args: parseArguments(call.arguments) },
    thoughtSignature: thoughtSignature(),
  };
}

function createEncoder(ctx: RequestContext) {
  const responseId = hexId(11);
  // Without alt=sse the API streams one JSON array instead of server-sent events.
  const sse = ctx.url.searchParams.get("alt") === "sse";
  let usage: Required<ScriptedUsage> | undefined;
  let first = true;
  const frame = (data: JsonObject): string => {
    if (sse) return sseData(data);
    const prefix = first ? "[" : ",\r\n";
    first = false;
    return prefix + JSON.stringify(data);
  };
  const chunk = (candidate: JsonObject, final = false) =>
    frame({
      candidates: [{ ...candidate, index: 0 }],
      ...(usage ? { usageMetadata: usageMetadata(usage, final) } : {}),
      modelVersion: ctx.model,
      responseId,
    });
  const parts = (list: JsonObject[]) => chunk({ content: { parts: list, role: "model" } });
  const close = () => (sse ? "" : first ? "[]" : "]");

  return {
    start(planned: Required<ScriptedUsage>) {
      usage = planned;
      return "";
    },
    reasoning: (text: string) => parts([{ text, thought: true }]),
    text: (text: string) => parts([{ text }]),
    toolCallStart: (call: PlannedToolCall) => parts([functionCallPart(call)]),
    // Google sends function arguments whole, never in pieces.
    toolCallDelta: () => "",
    toolCallEnd: () => "",
    finish: (reason: FinishReason) => chunk({ finishReason: FINISH[reason] }, true) + close(),
    error: (status: number, message: string) => frame(errorJson(status, message)) + close(),
  };
}

function nonStreamParts(reply: CollectedReply): JsonObject[] {
  const list: JsonObject[] = [];
  if (reply.reasoning) list.push({ text: reply.reasoning, thought: true });
  if (reply.text) list.push({ text: reply.text });
  for (const call of reply.toolCalls) list.push(functionCallPart(call));
  return list;
}

export const google: FormatHandler = {
  format: "google",
  streamContentType: (url) =>
    url.searchParams.get("alt") === "sse" ? "text/event-stream" : "application/json",
  isStream: (_body, url) => url.pathname.endsWith(":streamGenerateContent"),
  model: (_body, url) => MODEL_IN_PATH.exec(url.pathname)?.[1],
  createEncoder,
  nonStreamBody(ctx, reply, reason, usage) {
    return {
      candidates: [
        { content: { parts: nonStreamParts(reply), role: "model" }, finishReason: FINISH[reason], index: 0 },
      ],
      usageMetadata: usageMetadata(usage, true),
      modelVersion: ctx.model,
      responseId: hexId(11),
    };
  },
  errorBody: errorJson,
};
