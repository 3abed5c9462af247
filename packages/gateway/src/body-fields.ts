// The top-level fields a request body may carry from a sandbox, per wire format. The gateway checks
// only the body's `model` and prices by what the provider reports, so any field that makes the
// provider run another model (OpenRouter's `models` fallbacks, `route`, `provider` routing), bill
// for more than tokens (plugins, server-side tools, priority tiers, background runs the gateway
// never sees finish) or reach state kept on the platform's account (stored prompts, conversations,
// previous responses, cached contents) is refused. What OpenCode and the providers' own SDKs send
// for a model call passes (gateway-wire.md), sampling knobs included.
import { memberValue, type RootMembers } from "./metering/index.ts";
import type { WireFormat } from "./metering/types.ts";
import { GatewayRefusal } from "./refusal.ts";
import type { GatewayProvider } from "./upstreams.ts";

const CHAT_COMPLETIONS = [
  "model",
  "messages",
  "stream",
  "stream_options",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "frequency_penalty",
  "presence_penalty",
  "seed",
  "stop",
  "n",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "logprobs",
  "top_logprobs",
  "logit_bias",
  "reasoning_effort",
  "verbosity",
  "user",
  "safety_identifier",
  "prompt_cache_key",
];

/** Sampling knobs OpenAI-compatible servers (vLLM, Ollama) and OpenRouter take besides OpenAI's. */
const EXTRA_SAMPLING = ["top_k", "min_p", "top_a", "repetition_penalty"];

const RESPONSES = [
  "model",
  "input",
  "instructions",
  "stream",
  "stream_options",
  "temperature",
  "top_p",
  "top_logprobs",
  "max_output_tokens",
  "max_tool_calls",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "reasoning",
  "text",
  "include",
  "store",
  "truncation",
  "prompt_cache_key",
  "prompt_cache_retention",
  "safety_identifier",
  "user",
  "metadata",
  // Codex names itself and its session here (like `metadata`): it changes nothing about the call.
  "client_metadata",
];

const ANTHROPIC = [
  "model",
  "messages",
  "system",
  "max_tokens",
  "stream",
  "temperature",
  "top_p",
  "top_k",
  "stop_sequences",
  "tools",
  "tool_choice",
  "thinking",
  "metadata",
  "output_format",
  "output_config",
  // Claude Code's context editing (clearing old tool results and thinking) of this one call.
  "context_management",
];

// Google's JSON parser takes the proto field names in either case; the model is in the path.
const GOOGLE = [
  "contents",
  "systemInstruction",
  "system_instruction",
  "generationConfig",
  "generation_config",
  "tools",
  "toolConfig",
  "tool_config",
  "safetySettings",
  "safety_settings",
];

const FORMAT_FIELDS: Record<WireFormat, readonly string[]> = {
  "chat-completions": CHAT_COMPLETIONS,
  responses: RESPONSES,
  anthropic: ANTHROPIC,
  google: GOOGLE,
};

/** Provider extensions of a format that act on the one call only. */
const PROVIDER_FIELDS: Partial<Record<GatewayProvider, readonly string[]>> = {
  // OpenCode sends `usage` (the gateway asks for it anyway) and `reasoning`.
  openrouter: [...EXTRA_SAMPLING, "usage", "reasoning", "include_reasoning"],
  custom: [...EXTRA_SAMPLING, "reasoning", "chat_template_kwargs"],
};

const allowedFields = new Map<string, Set<string>>();
function fieldsFor(format: WireFormat, provider: GatewayProvider): Set<string> {
  const key = `${format}/${provider}`;
  let fields = allowedFields.get(key);
  if (!fields) {
    fields = new Set([...FORMAT_FIELDS[format], ...(PROVIDER_FIELDS[provider] ?? [])]);
    allowedFields.set(key, fields);
  }
  return fields;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The kind of a tool the provider would run itself (web search, code execution, file search, an
 * MCP server…) rather than hand back to the sandbox; null for the sandbox's own function tools.
 */
function serverSideTool(format: WireFormat, tool: unknown): string | null {
  if (!isObject(tool)) return "a tool that is not an object";
  if (format === "google") {
    const kind = Object.keys(tool).find(
      (key) => key !== "functionDeclarations" && key !== "function_declarations",
    );
    return kind ?? null;
  }
  const type = tool.type;
  // A Responses API namespace (Codex groups its tools so) is only a name over the tools it holds.
  if (format === "responses" && type === "namespace") {
    if (!Array.isArray(tool.tools)) return "a namespace without tools";
    for (const inner of tool.tools) {
      // One level only: a namespace of namespaces is no client's, and would recurse without end.
      if (isObject(inner) && inner.type === "namespace") return "a nested namespace";
      const kind = serverSideTool(format, inner);
      if (kind) return kind;
    }
    return null;
  }
  // Anthropic's own tools have no type (or "custom"); the others name "function" (or "custom").
  if (type === undefined && format === "anthropic") return null;
  if (type === "custom" || (type === "function" && format !== "anthropic")) return null;
  return typeof type === "string" ? type : "a tool without a type";
}

/** Refuses (400, naming the field) a body with a field its wire format's clients do not send. */
export function refuseUnknownFields(
  format: WireFormat,
  provider: GatewayProvider,
  body: Buffer,
  root: RootMembers,
): void {
  const allowed = fieldsFor(format, provider);
  const seen = new Set<string>();
  for (const { key } of root.members) {
    if (!allowed.has(key))
      throw new GatewayRefusal(
        400,
        `The studio's gateway does not forward the request field ${JSON.stringify(key)}.`,
      );
    // Parsers disagree on which of two copies counts; the provider might read the unchecked one.
    if (seen.has(key))
      throw new GatewayRefusal(400, `The request names ${JSON.stringify(key)} more than once.`);
    seen.add(key);
  }
  if (!seen.has("tools")) return;
  const tools = memberValue(body, root, "tools");
  if (!Array.isArray(tools)) throw new GatewayRefusal(400, 'The request field "tools" must be a list.');
  for (const tool of tools) {
    const kind = serverSideTool(format, tool);
    if (kind)
      throw new GatewayRefusal(
        400,
        `The studio's gateway forwards function tools only, not ${JSON.stringify(kind)}.`,
      );
  }
}
