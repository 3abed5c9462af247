import { describe, expect, it } from "vitest";
import { wireFormatFor } from "./index.ts";

describe("wireFormatFor", () => {
  it("recognises each provider's model calls (gateway-wire.md)", () => {
    const cases: [Parameters<typeof wireFormatFor>[0], string, string][] = [
      ["anthropic", "/v1/messages", "anthropic"],
      ["openai", "/v1/responses", "responses"],
      ["openai", "/v1/chat/completions", "chat-completions"],
      ["xai", "/v1/responses", "responses"],
      ["xai", "/v1/chat/completions", "chat-completions"],
      ["xai", "/v1/messages", "anthropic"],
      ["google", "/v1beta/models/gemini-2.5-flash:streamGenerateContent", "google"],
      ["google", "/v1beta/models/gemini-2.5-flash:generateContent", "google"],
      ["google", "/v1beta/models/gemini-2.5-flash%3AstreamGenerateContent", "google"],
      ["google", "/v1beta/openai/chat/completions", "chat-completions"],
      ["openrouter", "/api/v1/chat/completions", "chat-completions"],
      ["custom", "/chat/completions", "chat-completions"],
      ["custom", "/v1/chat/completions", "chat-completions"],
      ["custom", "v1/chat/completions/", "chat-completions"],
      ["custom", "/ollama/v1/chat/completions?x=1", "chat-completions"],
    ];
    for (const [provider, path, format] of cases) {
      expect(wireFormatFor(provider, "POST", path), `${provider} ${path}`).toBe(format);
    }
    expect(wireFormatFor("google", "post", "/v1beta/models/g:generateContent?alt=sse")).toBe("google");
  });

  it("returns null for what is not a model call", () => {
    const cases: [Parameters<typeof wireFormatFor>[0], string, string][] = [
      ["openai", "GET", "/v1/models"],
      ["openai", "GET", "/v1/responses"],
      ["openai", "POST", "/v1/responses/resp_1/cancel"],
      ["openai", "POST", "/v1/threads/t_1/messages"],
      ["openai", "POST", "/v1/embeddings"],
      ["anthropic", "POST", "/v1/messages/count_tokens"],
      ["anthropic", "POST", "/v1/chat/completions"],
      ["anthropic", "GET", "/v1/messages"],
      ["google", "POST", "/v1beta/models/g:countTokens"],
      ["google", "POST", "/v1beta/models/g:embedContent"],
      ["google", "GET", "/v1beta/models"],
      ["openrouter", "POST", "/api/v1/messages"],
      ["custom", "POST", "/api/generate"],
      ["custom", "OPTIONS", "/v1/chat/completions"],
    ];
    for (const [provider, method, path] of cases) {
      expect(wireFormatFor(provider, method, path), `${provider} ${method} ${path}`).toBeNull();
    }
  });

  it("takes linear time on long runs of slashes (no backtracking regex)", () => {
    // The regex it replaced took about 300 ms on 16,000 slashes here, and 3 s on 50,000.
    const path = `/v1${"/".repeat(50_000)}x/chat/completions`;
    const started = performance.now();
    expect(wireFormatFor("custom", "POST", path)).toBe("chat-completions");
    expect(wireFormatFor("google", "POST", `/v1beta/models/${":".repeat(50_000)}g:countTokens`)).toBeNull();
    expect(performance.now() - started).toBeLessThan(100);
  });
});
