import { describe, expect, it } from "vitest";
import { rootMembers, type WireFormat } from "./metering/index.ts";
import { maxOutputTokens, worstCaseCostMicroUsd } from "./worst-case.ts";

const bodyOf = (value: unknown) => Buffer.from(JSON.stringify(value));
function outputCap(format: WireFormat, value: unknown) {
  const body = bodyOf(value);
  return maxOutputTokens(format, body, rootMembers(body)!);
}
// $3 in, $15 out, $0.30 cached per million tokens.
const PRICE = { inputPerMTok: 3_000_000n, outputPerMTok: 15_000_000n, cachedInputPerMTok: 300_000n };

describe("the most a call can cost", () => {
  it("reads each wire format's output cap, times the answers asked for", () => {
    expect(outputCap("anthropic", { model: "m", max_tokens: 4096 })).toBe(4096);
    expect(outputCap("responses", { model: "m", max_output_tokens: 1000 })).toBe(1000);
    expect(outputCap("chat-completions", { model: "m", max_tokens: 500 })).toBe(500);
    expect(outputCap("chat-completions", { model: "m", max_completion_tokens: 800, max_tokens: 500 })).toBe(
      800,
    );
    expect(outputCap("chat-completions", { model: "m", max_tokens: 500, n: 3 })).toBe(1500);
    expect(outputCap("google", { generationConfig: { maxOutputTokens: 1000 } })).toBe(1000);
    expect(outputCap("google", { generation_config: { max_output_tokens: 10, candidate_count: 2 } })).toBe(
      20,
    );
    // Gemini's thinking budget is counted on top of the cap.
    expect(
      outputCap("google", {
        generationConfig: { maxOutputTokens: 1000, thinkingConfig: { thinkingBudget: 500 } },
      }),
    ).toBe(1500);
  });

  it("has no bound when the request sets no cap, or one that is not a count", () => {
    expect(outputCap("anthropic", { model: "m" })).toBeNull();
    expect(outputCap("responses", { model: "m", max_output_tokens: "1000" })).toBeNull();
    expect(outputCap("chat-completions", { model: "m" })).toBeNull();
    expect(outputCap("chat-completions", { model: "m", max_tokens: 10, n: 1.5 })).toBeNull();
    expect(outputCap("google", { contents: [] })).toBeNull();
    // Two copies of a bounding field, or both spellings of the config: the provider might read either.
    const twice = '{"generationConfig":{"maxOutputTokens":10,"maxOutputTokens":100000}}';
    expect(maxOutputTokens("google", Buffer.from(twice), rootMembers(Buffer.from(twice))!)).toBeNull();
    expect(
      outputCap("google", { generationConfig: { maxOutputTokens: 10, max_output_tokens: 100_000 } }),
    ).toBeNull();
    expect(
      outputCap("google", {
        generationConfig: { maxOutputTokens: 10 },
        generation_config: { maxOutputTokens: 100_000 },
      }),
    ).toBeNull();
    // A thinking budget the model picks (-1) bounds nothing.
    expect(
      outputCap("google", {
        generationConfig: { maxOutputTokens: 10, thinkingConfig: { thinkingBudget: -1 } },
      }),
    ).toBeNull();
  });

  it("bounds input by the body's bytes at the dearer input price, and output by its cap", () => {
    const body = bodyOf({ model: "m", max_tokens: 1000, messages: [{ role: "user", content: "hi" }] });
    const cost = worstCaseCostMicroUsd("anthropic", body, rootMembers(body)!, PRICE, 0);
    const inputTokens = BigInt(body.length + 2048);
    expect(cost).toBe((inputTokens * 3_000_000n + 1000n * 15_000_000n + 999_999n) / 1_000_000n);
    // The platform's markup on credits is part of what the ledger charges, so of the bound.
    expect(worstCaseCostMicroUsd("anthropic", body, rootMembers(body)!, PRICE, 10_000)).toBe(cost! * 2n);
    // A cached price dearer than the input price bounds every input token.
    const dearCache = { ...PRICE, cachedInputPerMTok: 6_000_000n };
    expect(worstCaseCostMicroUsd("anthropic", body, rootMembers(body)!, dearCache, 0)).toBeGreaterThan(cost!);
    // An unpriced model has no bound here.
    expect(worstCaseCostMicroUsd("anthropic", body, rootMembers(body)!, null, 0)).toBeNull();
  });

  it("has no bound when the request reaches content by address or file id, but does for inline data", () => {
    const image = (source: unknown) =>
      bodyOf({
        model: "m",
        max_tokens: 10,
        messages: [{ role: "user", content: [{ type: "image", source }] }],
      });
    const bound = (body: Buffer, format: WireFormat = "anthropic") =>
      worstCaseCostMicroUsd(format, body, rootMembers(body)!, PRICE, 0);
    expect(bound(image({ type: "url", url: "https://example.com/a.png" }))).toBeNull();
    expect(bound(image({ type: "file", file_id: "file_1" }))).toBeNull();
    expect(bound(image({ type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" }))).not.toBeNull();
    const chatImage = (url: string) =>
      bodyOf({
        model: "m",
        max_tokens: 10,
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url } }] }],
      });
    expect(bound(chatImage("https://example.com/a.png"), "chat-completions")).toBeNull();
    expect(bound(chatImage("data:image/png;base64,iVBORw0KGgo="), "chat-completions")).not.toBeNull();
    const googleFile = bodyOf({
      contents: [{ parts: [{ fileData: { fileUri: "gs://b/f.pdf" } }] }],
      generationConfig: { maxOutputTokens: 10 },
    });
    expect(bound(googleFile, "google")).toBeNull();
    // Documents, audio and video are priced by pages and seconds, not bytes.
    const pdf = bodyOf({
      model: "m",
      max_tokens: 10,
      messages: [
        { role: "user", content: [{ type: "document", source: { type: "base64", data: "JVBERi0=" } }] },
      ],
    });
    expect(bound(pdf)).toBeNull();
    const googleInline = (mimeType: string) =>
      bodyOf({
        contents: [{ parts: [{ inlineData: { mimeType, data: "AAAA" } }] }],
        generationConfig: { maxOutputTokens: 10 },
      });
    expect(bound(googleInline("application/pdf"), "google")).toBeNull();
    expect(bound(googleInline("audio/mp3"), "google")).toBeNull();
    expect(bound(googleInline("image/png"), "google")).not.toBeNull();
    const audio = bodyOf({
      model: "m",
      max_tokens: 10,
      messages: [
        { role: "user", content: [{ type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }] },
      ],
    });
    expect(bound(audio, "chat-completions")).toBeNull();
    // A prompt that only talks about files and URLs is bounded like any other.
    expect(
      bound(
        bodyOf({
          model: "m",
          max_tokens: 10,
          messages: [{ role: "user", content: 'read "url" in file_id.ts' }],
        }),
      ),
    ).not.toBeNull();
  });
});
