// Issue 17, point 3: the catalogue carries the models an organisation's OpenAI-compatible endpoint
// lists. Through the studio's own HTTP server and wiring (app.ts): the studio asks the endpoint with
// the stored key, keeps the answer briefly, asks again as soon as the key or endpoint changes, says
// in words why there is no list, and never answers one organisation with another's list.
import http from "node:http";
import { type ScriptedModelServer, startScriptedModelServer } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StudioServer } from "./app.ts";
import { startInertStudio } from "./testing/inert-studio.ts";
import { signUpAccount, type TestAccount } from "./testing/studio-process.ts";

const database = useTestDatabase();
const ENDPOINT_KEY = "sk-ollama-PLANTED-5e1f0c9a";
let studio: StudioServer;
let url: string;
let ollama: ScriptedModelServer;
let vllm: ScriptedModelServer;

beforeAll(async () => {
  ollama = await startScriptedModelServer({
    expectedKey: ENDPOINT_KEY,
    models: ["llama3.1:8b", "qwen2.5-coder:7b"],
  });
  vllm = await startScriptedModelServer({ models: ["meta-llama/Llama-3.1-8B-Instruct"] });
  ({ studio, url } = await startInertStudio(database));
}, 60_000);
afterAll(async () => {
  await studio?.close();
  await ollama?.close();
  await vllm?.close();
});

/** The catalogue as the web app reads it (plain HTTP, so the whole body can be searched). */
async function catalog(account: TestAccount) {
  const response = await fetch(`${url}/api/trpc/sessions.catalog`, {
    headers: { authorization: `Bearer ${account.token}` },
  });
  const text = await response.text();
  const data = JSON.parse(text).result.data.json as {
    providers: { id: string; available: boolean; endpointModels: unknown }[];
  };
  return { text, custom: data.providers.find((provider) => provider.id === "custom")! };
}

const listings = (server: ScriptedModelServer) =>
  server.requests.filter((request) => request.method === "GET" && request.path === "/v1/models").length;

const setEndpoint = (account: TestAccount, baseUrl: string, apiKey?: string) =>
  account.client.keys.set.mutate({ provider: "custom", baseUrl, ...(apiKey ? { apiKey } : {}) });

describe("the catalogue's custom endpoint", () => {
  it("lists the endpoint's models, asked server-side with the stored key, which never comes back", async () => {
    const owner = await signUpAccount(url);
    await setEndpoint(owner, `${ollama.url}/v1`, ENDPOINT_KEY);
    const before = listings(ollama);
    const { text, custom } = await catalog(owner);
    expect(custom).toMatchObject({
      available: true,
      endpointModels: { ok: true, models: ["llama3.1:8b", "qwen2.5-coder:7b"] },
    });
    expect(ollama.requests.at(-1)).toMatchObject({ path: "/v1/models", authorized: true });
    expect(text).not.toContain(ENDPOINT_KEY);
    expect(text).not.toContain(ollama.url);

    // Kept briefly: a second read does not ask again.
    await catalog(owner);
    expect(listings(ollama)).toBe(before + 1);

    // Another endpoint: asked at once, not after the list expires.
    await setEndpoint(owner, `${vllm.url}/v1`);
    expect((await catalog(owner)).custom.endpointModels).toEqual({
      ok: true,
      models: ["meta-llama/Llama-3.1-8B-Instruct"],
    });
  });

  it("is never another organisation's list", async () => {
    const owner = await signUpAccount(url);
    const stranger = await signUpAccount(url);
    await setEndpoint(owner, `${ollama.url}/v1`, ENDPOINT_KEY);
    expect((await catalog(owner)).custom.endpointModels).toMatchObject({ ok: true });
    const before = listings(ollama);
    const { text, custom } = await catalog(stranger);
    // No endpoint of its own, and this studio has no platform endpoint.
    expect(custom.endpointModels).toBeNull();
    expect(text).not.toContain("llama3.1:8b");
    expect(listings(ollama)).toBe(before);
  });

  it("says why when the endpoint cannot be reached or answers nonsense, and the endpoint stays usable", async () => {
    const owner = await signUpAccount(url);
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    await setEndpoint(owner, `http://127.0.0.1:${port}/v1`);
    expect((await catalog(owner)).custom).toMatchObject({
      available: true,
      endpointModels: { ok: false, reason: "The endpoint could not be reached." },
    });

    const broken = await startScriptedModelServer({
      models: { status: 200, body: "<!doctype html><title>It works</title>", contentType: "text/html" },
    });
    try {
      await setEndpoint(owner, `${broken.url}/v1`);
      expect((await catalog(owner)).custom).toMatchObject({
        available: true,
        endpointModels: {
          ok: false,
          reason: "The endpoint's answer to GET /models is not a model list (not JSON).",
        },
      });
    } finally {
      await broken.close();
    }
  });
});
