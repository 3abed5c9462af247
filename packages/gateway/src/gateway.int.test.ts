// The gateway over real HTTP in front of the scripted model server: the session token is checked
// and never forwarded, the right key is swapped in, the stream comes back byte for byte, and calls
// a session may not make never reach the provider.
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { probeKey } from "./key-probe.ts";
import { ORG_KEY, PLATFORM_KEY, seedSession, useGatewayFixture } from "./test-support/gateway-fixture.ts";

const database = useTestDatabase();
const fixture = useGatewayFixture(database);

const chatBody = (model = "scripted-1") => ({
  model,
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: "user", content: "hi" }],
});

/** A string body is sent as it is (to send what is not JSON, or not JSON.stringify's). */
const post = (
  path: string,
  token: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
) =>
  fetch(`${fixture.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal,
  });

describe("model gateway: pass-through", () => {
  it("swaps the session token for the platform key and streams the reply unchanged", async () => {
    const { token } = await seedSession(database.db, fixture.keyring, {
      provider: "custom",
      model: "scripted-1",
    });
    fixture.upstream.enqueue([{ text: "Hello from upstream" }]);
    const response = await post("/custom/chat/completions", token, chatBody(), { "x-session-id": "abc" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(response.headers.get("x-studio-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const text = await response.text();
    expect(text).toContain("data: [DONE]");
    const content = text
      .split("\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => JSON.parse(line.slice(6)).choices?.[0]?.delta?.content ?? "")
      .join("");
    expect(content).toBe("Hello from upstream");

    const seen = fixture.upstream.requests.at(-1)!;
    expect(seen.path).toBe("/v1/chat/completions");
    expect(seen.authorized).toBe(true);
    expect(seen.headers.authorization).toBe(`Bearer ${PLATFORM_KEY}`);
    expect(seen.headers["x-session-id"]).toBe("abc");
    expect(seen.headers["accept-encoding"]).toBe("identity");
    expect(JSON.stringify(seen.headers)).not.toContain(token);
  });

  it("uses each provider's own key header", async () => {
    const { token } = await seedSession(database.db, fixture.keyring, {
      provider: "anthropic",
      model: "claude-haiku-4-5",
      creditsMicroUsd: 1_000_000n,
    });
    fixture.upstream.enqueue([{ text: "Claude says hi" }]);
    const response = await post(
      "/anthropic/v1/messages",
      "",
      {
        model: "claude-haiku-4-5",
        stream: true,
        max_tokens: 100,
        messages: [{ role: "user", content: "hi" }],
      },
      { authorization: "", "x-api-key": token, "anthropic-version": "2023-06-01" },
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("message_stop");
    const seen = fixture.upstream.requests.at(-1)!;
    expect(seen.headers["x-api-key"]).toBe(PLATFORM_KEY);
    expect(seen.headers.authorization).toBeUndefined();
  });

  it("calls with the organisation's own key when the session resolved to it, and marks it used", async () => {
    const { token, organizationId } = await seedSession(database.db, fixture.keyring, {
      provider: "openai",
      model: "gpt-4.1",
      keySource: "direct",
      organizationKey: { provider: "openai", apiKey: ORG_KEY },
    });
    fixture.upstream.enqueue([{ text: "on your key" }]);
    const response = await post("/openai/v1/responses", token, {
      model: "gpt-4.1",
      stream: true,
      input: "hi",
    });
    expect(response.status).toBe(200);
    await response.text();
    expect(fixture.upstream.requests.at(-1)!.headers.authorization).toBe(`Bearer ${ORG_KEY}`);
    await fixture.gateway.settled();
    expect(fixture.warnings).toEqual([]);
    const key = await database.db.providerKey.findFirstOrThrow({ where: { organizationId } });
    expect(key.lastUsedAt).not.toBeNull();
  });

  it("refuses what a session may not do, without calling upstream", async () => {
    const before = fixture.upstream.requests.length;
    const stopped = await seedSession(database.db, fixture.keyring, {
      provider: "custom",
      model: "m",
      status: "stopped",
    });
    const live = await seedSession(database.db, fixture.keyring, { provider: "custom", model: "m" });
    const xai = await seedSession(database.db, fixture.keyring, {
      provider: "xai",
      model: "grok-4-1-fast",
      creditsMicroUsd: 1_000_000n,
    });
    const call = (provider: string, token: string) =>
      post(`/${provider}/chat/completions`, token, chatBody());
    expect((await call("custom", "not-a-session-token")).status).toBe(401);
    expect((await call("custom", stopped.token)).status).toBe(401);
    // Another provider's model call (Anthropic's client may send a bearer token too).
    const elsewhere = await post("/anthropic/v1/messages", live.token, {
      model: "m",
      max_tokens: 1,
      messages: [],
    });
    expect(elsewhere.status).toBe(403);
    expect((await call("nonsense", live.token)).status).toBe(404);
    // Only model calls are forwarded: nothing else a platform key could do.
    const listing = await fetch(`${fixture.url}/custom/models`, {
      headers: { authorization: `Bearer ${live.token}` },
    });
    expect(listing.status).toBe(404);
    // Another model than the session's (or its provider's small model) is refused.
    const other = await post("/xai/v1/responses", xai.token, { model: "grok-4", stream: true, input: "hi" });
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual({
      error: { type: "studio_gateway_error", message: "This session may not call grok-4." },
    });
    // A model named twice (a provider might read the other one), or a body that is not JSON.
    const twice = await post(
      "/xai/v1/responses",
      xai.token,
      '{"model":"grok-4-1-fast","stream":true,"input":"hi","model":"grok-4"}',
    );
    expect(twice.status).toBe(400);
    expect(await twice.json()).toEqual({
      error: { type: "studio_gateway_error", message: "The request must name one model." },
    });
    const broken = await post("/xai/v1/responses", xai.token, '{"model":"grok-4-1-fast","input":"hi"');
    expect(broken.status).toBe(400);
    expect(fixture.upstream.requests.length).toBe(before);
  });

  it("lets a session call its provider's small model (OpenCode's titles)", async () => {
    const { token } = await seedSession(database.db, fixture.keyring, {
      provider: "xai",
      model: "grok-4",
      creditsMicroUsd: 1_000_000n,
    });
    fixture.upstream.enqueue([{ text: "ok" }]);
    const response = await post("/xai/v1/responses", token, {
      model: "grok-4-1-fast",
      stream: true,
      input: "hi",
    });
    expect(response.status).toBe(200);
    await response.text();
  });

  it("passes upstream errors through with their status and body", async () => {
    const { token } = await seedSession(database.db, fixture.keyring, { provider: "custom", model: "m" });
    fixture.upstream.enqueue([{ error: { status: 429, body: { error: { message: "slow down" } } } }]);
    const response = await post("/custom/chat/completions", token, chatBody());
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({ error: { message: "slow down" } });
  });

  it("closes the upstream stream when the sandbox hangs up", async () => {
    const { token } = await seedSession(database.db, fixture.keyring, { provider: "custom", model: "m" });
    fixture.upstream.enqueue([{ text: "partial" }, { hang: true }]);
    const controller = new AbortController();
    const response = await fetch(`${fixture.url}/custom/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(chatBody()),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect.poll(() => fixture.upstream.requests.at(-1)?.aborted).toBe(true);
  });

  it("passes the provider's headers on while its model has not said anything yet", async () => {
    // Google's stream opens with headers alone; then the model thinks (here: for ever).
    const { token } = await seedSession(database.db, fixture.keyring, {
      provider: "google",
      model: "gemini-2.5-pro",
      creditsMicroUsd: 1_000_000n,
    });
    fixture.upstream.enqueue([{ hang: true }]);
    const controller = new AbortController();
    const response = await post(
      "/google/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
      "",
      { contents: [{ role: "user", parts: [{ text: "hi" }] }] },
      // Where Google's SDK sends it.
      { authorization: "", "x-goog-api-key": token },
      controller.signal,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    controller.abort();
    await expect.poll(() => fixture.upstream.requests.at(-1)?.aborted).toBe(true);
  });
});

describe("test key", () => {
  it("reports success for a key the provider accepts and the provider's error otherwise, never the key", async () => {
    const upstreams = { openai: { baseUrl: fixture.upstream.url, apiKey: null } };
    expect(await probeKey("openai", { apiKey: ORG_KEY }, upstreams, "allow")).toEqual({
      ok: true,
      message: "The provider accepted the key (HTTP 200).",
    });
    const bad = await probeKey(
      "anthropic",
      { apiKey: "sk-ant-WRONG-key-123456" },
      { anthropic: upstreams.openai },
      "allow",
    );
    expect(bad).toEqual({ ok: false, status: 401, message: "HTTP 401: Invalid API key provided." });
    const custom = await probeKey("custom", { apiKey: "", baseUrl: "http://127.0.0.1:9/v1" }, {}, "allow");
    expect(custom).toMatchObject({ ok: false, status: null, message: "The provider could not be reached." });
  });
});
