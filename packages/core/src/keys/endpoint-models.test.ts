import { describe, expect, it } from "vitest";
import { MAX_LISTED_MODELS, parseModelList } from "./endpoint-models.ts";

describe("an endpoint's model list", () => {
  it("is read from OpenAI's list format, in order, without duplicates, extra fields ignored", () => {
    const body = JSON.stringify({
      object: "list",
      data: [
        { id: "llama3.1:8b", object: "model", owned_by: "library" },
        { id: "qwen2.5-coder:7b" },
        { id: "llama3.1:8b" },
      ],
    });
    expect(parseModelList(body)).toEqual({ ok: true, models: ["llama3.1:8b", "qwen2.5-coder:7b"] });
    expect(parseModelList('{"data":[]}')).toEqual({ ok: true, models: [] });
  });

  it("is refused as a whole when the answer is in another shape", () => {
    for (const [body, why] of [
      ["<html></html>", "not JSON"],
      ["[]", "no `data` list"],
      ['{"data":{"id":"x"}}', "no `data` list"],
      ['{"models":[{"name":"x"}]}', "no `data` list"],
      ['{"data":[{"name":"x"}]}', "an entry without a usable `id`"],
      ['{"data":[{"id":""}]}', "an entry without a usable `id`"],
      [JSON.stringify({ data: [{ id: "x".repeat(201) }] }), "an entry without a usable `id`"],
    ] as const)
      expect(parseModelList(body), body.slice(0, 40)).toEqual({
        ok: false,
        reason: `The endpoint's answer to GET /models is not a model list (${why}).`,
      });
  });

  it("keeps at most MAX_LISTED_MODELS", () => {
    const data = Array.from({ length: MAX_LISTED_MODELS + 20 }, (_, index) => ({ id: `m${index}` }));
    const listing = parseModelList(JSON.stringify({ data }));
    expect(listing.ok && listing.models.length).toBe(MAX_LISTED_MODELS);
  });
});
