import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ScriptedModelServer, startScriptedModelServer } from "./index.ts";

let server: ScriptedModelServer;

beforeEach(async () => {
  server = await startScriptedModelServer({ expectedKey: "k-123", models: ["m-1", "m-2"] });
});
afterEach(async () => {
  await server.close();
});

const get = async (path: string, headers: Record<string, string>) => {
  const response = await fetch(`${server.url}${path}`, { headers });
  return { status: response.status, body: await response.text() };
};

describe("the model listing", () => {
  it("answers in each provider's own format", async () => {
    const openai = JSON.parse((await get("/v1/models", { authorization: "Bearer k-123" })).body);
    expect(openai).toEqual({
      object: "list",
      data: [
        { id: "m-1", object: "model", created: 1_700_000_000, owned_by: "scripted" },
        { id: "m-2", object: "model", created: 1_700_000_000, owned_by: "scripted" },
      ],
    });
    const anthropic = JSON.parse(
      (await get("/v1/models", { "x-api-key": "k-123", "anthropic-version": "2023-06-01" })).body,
    );
    expect(anthropic).toMatchObject({
      data: [{ type: "model", id: "m-1", display_name: "m-1" }, { id: "m-2" }],
      has_more: false,
      first_id: "m-1",
      last_id: "m-2",
    });
    const google = JSON.parse((await get("/v1beta/models", { "x-goog-api-key": "k-123" })).body);
    expect(google.models.map((model: { name: string }) => model.name)).toEqual(["models/m-1", "models/m-2"]);
  });

  it("refuses another key, and plays whatever answer it is given", async () => {
    expect((await get("/v1/models", { authorization: "Bearer nope" })).status).toBe(401);
    server.models = { status: 200, body: "<html>", contentType: "text/html" };
    expect(await get("/v1/models", { authorization: "Bearer k-123" })).toEqual({
      status: 200,
      body: "<html>",
    });
    server.models = [];
    expect(JSON.parse((await get("/v1/models", { authorization: "Bearer k-123" })).body).data).toEqual([]);
  });
});
