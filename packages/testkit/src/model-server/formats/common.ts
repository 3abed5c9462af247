import { randomBytes } from "node:crypto";
import type { CollectedReply, PlannedToolCall } from "../script.ts";
import type { FinishReason, ScriptedModelServerOptions, ScriptedUsage, WireFormat } from "../types.ts";

export type JsonObject = Record<string, unknown>;

export interface RequestContext {
  body: JsonObject;
  url: URL;
  model: string;
  options: ScriptedModelServerOptions;
}

/**
 * Turns the neutral actions into one format's stream. Each method returns the bytes to write now
 * (possibly several events, possibly none); the encoder keeps whatever block state the format needs.
 */
export interface StreamEncoder {
  /** Usage is known up front because replies are scripted; Anthropic reports input tokens here. */
  start(usage: Required<ScriptedUsage>): string;
  reasoning(delta: string): string;
  text(delta: string): string;
  toolCallStart(call: PlannedToolCall): string;
  toolCallDelta(call: PlannedToolCall, delta: string): string;
  toolCallEnd(call: PlannedToolCall): string;
  finish(reason: FinishReason, usage: Required<ScriptedUsage>): string;
  /** The format's in-stream error, for an error step after output has begun; the stream then ends. */
  error(status: number, message: string): string;
}

export interface FormatHandler {
  format: WireFormat;
  streamContentType(url: URL): string;
  isStream(body: JsonObject, url: URL): boolean;
  model(body: JsonObject, url: URL): string | undefined;
  createEncoder(ctx: RequestContext): StreamEncoder;
  nonStreamBody(
    ctx: RequestContext,
    reply: CollectedReply,
    reason: FinishReason,
    usage: Required<ScriptedUsage>,
  ): unknown;
  errorBody(status: number, message: string): unknown;
}

export function hexId(bytes = 12): string {
  return randomBytes(bytes).toString("hex");
}

export function sseData(data: unknown): string {
  return `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}

export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function parseArguments(args: string): JsonObject {
  try {
    const parsed: unknown = JSON.parse(args);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as JsonObject;
  } catch {
    // Formats that carry arguments as objects cannot express malformed JSON; send it wrapped.
  }
  return { _raw: args };
}

/** OpenAI's error `type` and `code` for the statuses tests use. */
export function openAiErrorKind(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: "invalid_request_error", code: "invalid_api_key" };
  if (status === 403) return { type: "invalid_request_error", code: "unsupported_country_region_territory" };
  if (status === 404) return { type: "invalid_request_error", code: "model_not_found" };
  if (status === 429) return { type: "requests", code: "rate_limit_exceeded" };
  if (status >= 500) return { type: "server_error", code: null };
  return { type: "invalid_request_error", code: null };
}
