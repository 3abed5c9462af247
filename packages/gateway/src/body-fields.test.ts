import { describe, expect, it } from "vitest";
import { refuseUnknownFields } from "./body-fields.ts";
import { rootMembers, type WireFormat } from "./metering/index.ts";
import type { GatewayProvider } from "./upstreams.ts";

const check = (format: WireFormat, provider: GatewayProvider, body: object | string) => {
  const buf = Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  return () => refuseUnknownFields(format, provider, buf, rootMembers(buf)!);
};

const fields = (names: string[]) =>
  Object.fromEntries(names.map((name) => [name, name === "tools" ? [] : 1]));

describe("the body fields a sandbox may send", () => {
  // The top-level fields of every call OpenCode 1.18 made in gateway-wire.md's recordings.
  it.each<[WireFormat, GatewayProvider, string[]]>([
    [
      "anthropic",
      "anthropic",
      ["model", "max_tokens", "thinking", "system", "messages", "stream", "tools", "tool_choice"],
    ],
    ["google", "google", ["generationConfig", "contents", "systemInstruction", "tools", "toolConfig"]],
    [
      "chat-completions",
      "custom",
      ["model", "max_tokens", "messages", "stream", "stream_options", "tools", "tool_choice"],
    ],
    [
      "responses",
      "openai",
      [
        "model",
        "input",
        "temperature",
        "store",
        "include",
        "reasoning",
        "stream",
        "prompt_cache_key",
        "tools",
        "tool_choice",
      ],
    ],
    [
      "responses",
      "xai",
      ["model", "input", "temperature", "store", "include", "reasoning", "stream", "prompt_cache_key"],
    ],
    [
      "chat-completions",
      "openrouter",
      [
        "model",
        "max_tokens",
        "temperature",
        "messages",
        "reasoning",
        "stream",
        "usage",
        "tools",
        "tool_choice",
      ],
    ],
  ])("passes what OpenCode sends: %s to %s", (format, provider, names) => {
    expect(check(format, provider, fields(names))).not.toThrow();
  });

  it.each<[WireFormat, GatewayProvider, string]>([
    ["chat-completions", "openrouter", "models"],
    ["chat-completions", "openrouter", "route"],
    ["chat-completions", "openrouter", "provider"],
    ["chat-completions", "openrouter", "plugins"],
    ["chat-completions", "openrouter", "preset"],
    ["chat-completions", "xai", "search_parameters"],
    ["chat-completions", "openai", "service_tier"],
    ["chat-completions", "openai", "store"],
    ["chat-completions", "openai", "web_search_options"],
    ["chat-completions", "google", "extra_body"],
    ["chat-completions", "openai", "usage"],
    ["responses", "openai", "background"],
    ["responses", "openai", "previous_response_id"],
    ["responses", "openai", "conversation"],
    ["responses", "openai", "prompt"],
    ["responses", "openrouter", "models"],
    ["anthropic", "anthropic", "mcp_servers"],
    ["anthropic", "anthropic", "container"],
    ["anthropic", "anthropic", "service_tier"],
    ["google", "google", "cachedContent"],
    ["google", "google", "model"],
  ])("refuses %s to %s carrying %s, naming it", (format, provider, field) => {
    expect(
      check(format, provider, { ...fields(format === "google" ? ["contents"] : ["model"]), [field]: 1 }),
    ).toThrow(`The studio's gateway does not forward the request field "${field}".`);
  });

  it.each<[WireFormat, object, string | null]>([
    ["chat-completions", { type: "function", function: { name: "bash" } }, null],
    ["responses", { type: "function", name: "bash" }, null],
    ["responses", { type: "custom", name: "apply_patch" }, null],
    ["responses", { type: "web_search" }, "web_search"],
    ["responses", { type: "mcp", server_url: "https://example.com" }, "mcp"],
    ["responses", { type: "file_search" }, "file_search"],
    // Codex 0.169 groups tools in namespaces: allowed when all they hold is the sandbox's own.
    ["responses", { type: "namespace", name: "shell", tools: [{ type: "function", name: "exec" }] }, null],
    ["responses", { type: "namespace", name: "n", tools: [{ type: "web_search" }] }, "web_search"],
    ["responses", { type: "namespace", name: "n" }, "a namespace without tools"],
    [
      "responses",
      { type: "namespace", name: "n", tools: [{ type: "namespace", name: "m", tools: [] }] },
      "a nested namespace",
    ],
    ["anthropic", { name: "bash", input_schema: {} }, null],
    ["anthropic", { type: "custom", name: "bash", input_schema: {} }, null],
    ["anthropic", { type: "web_search_20250305", name: "web_search" }, "web_search_20250305"],
    ["anthropic", { type: "code_execution_20250825", name: "code_execution" }, "code_execution_20250825"],
    ["google", { functionDeclarations: [] }, null],
    ["google", { googleSearch: {} }, "googleSearch"],
    ["google", { functionDeclarations: [], codeExecution: {} }, "codeExecution"],
  ])("in %s, tool %j is refused as server-side: %s", (format, tool, kind) => {
    const body = { ...(format === "google" ? { contents: [] } : { model: "m" }), tools: [tool] };
    const provider = format === "google" ? "google" : "openai";
    if (kind) expect(check(format, provider, body)).toThrow(`function tools only, not "${kind}"`);
    else expect(check(format, provider, body)).not.toThrow();
  });

  it("passes Claude Code's context_management on a Messages call", () => {
    const body = { model: "m", messages: [], context_management: { edits: [] } };
    expect(check("anthropic", "anthropic", body)).not.toThrow();
  });

  it("passes Codex's client_metadata on a Responses call, like metadata", () => {
    const body = { model: "m", input: [], client_metadata: { originator: "codex" } };
    expect(check("responses", "openai", body)).not.toThrow();
    const chat = { model: "m", messages: [], client_metadata: {} };
    expect(check("chat-completions", "openai", chat)).toThrow('"client_metadata"');
  });

  it("refuses a field named twice, whichever copy a provider would read", () => {
    expect(
      check("chat-completions", "custom", '{"model":"m","tools":[],"tools":[{"type":"web_search"}]}'),
    ).toThrow('The request names "tools" more than once.');
  });
});
