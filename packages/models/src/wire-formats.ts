// The model APIs ("wire formats") the studio's gateway passes through and meters, and which of them
// each provider's gateway route serves. Written once, here: the gateway decides from it what a
// forwarded request is, and agents.ts from it which providers can serve which agent.
import type { ModelProvider } from "./lists.ts";

export const WIRE_FORMATS = ["chat-completions", "responses", "anthropic", "google"] as const;
export type WireFormat = (typeof WIRE_FORMATS)[number];

/** What a person calls each format. */
export const WIRE_FORMAT_NAMES: Record<WireFormat, string> = {
  "chat-completions": "OpenAI Chat Completions",
  responses: "OpenAI Responses",
  anthropic: "Anthropic Messages",
  google: "Gemini generateContent",
};

/** The formats each provider's gateway route (`/api/llm/<provider>/…`) forwards and meters. */
export const PROVIDER_WIRE_FORMATS: Record<ModelProvider, readonly WireFormat[]> = {
  openai: ["responses", "chat-completions"],
  // xAI also serves the Anthropic Messages API at /v1/messages.
  xai: ["responses", "chat-completions", "anthropic"],
  anthropic: ["anthropic"],
  // Gemini also has an OpenAI-compatible /v1beta/openai/chat/completions.
  google: ["google", "chat-completions"],
  openrouter: ["chat-completions", "responses"],
  // OpenAI-compatible servers (Ollama, vLLM), under whatever prefix the base URL has.
  custom: ["chat-completions", "responses"],
};

/** A list of format names as a sentence fragment: "A", "A and B", "A, B and C". */
export function wireFormatList(formats: readonly WireFormat[]): string {
  const names = formats.map((format) => WIRE_FORMAT_NAMES[format]);
  if (names.length <= 1) return names[0] ?? "no model API";
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}
