// The gateway over real HTTP in front of the scripted model server: the session token is checked
// and never forwarded, the platform key is swapped in, the stream comes back byte for byte.
import http from "node:http";
import { hashSecret, newId, randomToken } from "@studio/core";
import { type ScriptedModelServer, startScriptedModelServer } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayHandler } from "./gateway.ts";

const database = useTestDatabase();
const PLATFORM_KEY = "sk-platform-PLANTED-0123456789";
let upstream: ScriptedModelServer;
let server: http.Server;
let gatewayUrl: string;

async function sessionWithToken(provider: "custom" | "anthropic", status: "ready" | "stopped" = "ready") {
  const userId = newId();
  const organizationId = newId();
  await database.db.user.create({
    data: { id: userId, email: `${userId}@example.com`, name: "G", passwordHash: "x" },
  });
  await database.db.organization.create({ data: { id: organizationId, name: "G", slug: organizationId } });
  const token = randomToken(20);
  const session = await database.db.studioSession.create({
    data: {
      id: newId(),
      organizationId,
      userId,
      environment: "development",
      status,
      provider,
      model: "scripted-1",
      keySource: "platform",
      sandboxProvider: "local",
      idleTimeoutSeconds: 900,
      gatewayTokenHash: hashSecret(token),
    },
  });
  return { token, session };
}

beforeAll(async () => {
  upstream = await startScriptedModelServer({ expectedKey: PLATFORM_KEY });
  const handler = createGatewayHandler({
    db: database.db,
    upstreams: {
      custom: { baseUrl: `${upstream.url}/v1`, apiKey: PLATFORM_KEY },
      anthropic: { baseUrl: upstream.url, apiKey: PLATFORM_KEY },
    },
    logger: { warn() {} },
  });
  server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  gatewayUrl = `http://127.0.0.1:${address.port}/api/llm`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await upstream.close();
});

const chatBody = {
  model: "scripted-1",
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: "user", content: "hi" }],
};

describe("model gateway", () => {
  it("swaps the session token for the platform key and streams the reply unchanged", async () => {
    const { token } = await sessionWithToken("custom");
    upstream.enqueue([{ text: "Hello from upstream" }]);
    const response = await fetch(`${gatewayUrl}/custom/chat/completions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
        "x-session-id": "abc",
      },
      body: JSON.stringify(chatBody),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const text = await response.text();
    expect(text).toContain("data: [DONE]");
    const content = text
      .split("\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => JSON.parse(line.slice(6)).choices?.[0]?.delta?.content ?? "")
      .join("");
    expect(content).toBe("Hello from upstream");

    const seen = upstream.requests.at(-1)!;
    expect(seen.path).toBe("/v1/chat/completions");
    expect(seen.authorized).toBe(true);
    expect(seen.headers.authorization).toBe(`Bearer ${PLATFORM_KEY}`);
    expect(seen.headers["x-session-id"]).toBe("abc");
    expect(JSON.stringify(seen.headers)).not.toContain(token);
  });

  it("uses each provider's own key header", async () => {
    const { token } = await sessionWithToken("anthropic");
    upstream.enqueue([{ text: "Claude says hi" }]);
    const response = await fetch(`${gatewayUrl}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": token, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "scripted-1",
        stream: true,
        max_tokens: 100,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("message_stop");
    const seen = upstream.requests.at(-1)!;
    expect(seen.headers["x-api-key"]).toBe(PLATFORM_KEY);
    expect(seen.headers.authorization).toBeUndefined();
  });

  it("refuses unknown tokens, stopped sessions and the wrong provider, without calling upstream", async () => {
    const before = upstream.requests.length;
    const stopped = await sessionWithToken("custom", "stopped");
    const live = await sessionWithToken("custom");
    const call = (provider: string, token: string) =>
      fetch(`${gatewayUrl}/${provider}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(chatBody),
      });
    expect((await call("custom", "not-a-session-token")).status).toBe(401);
    expect((await call("custom", stopped.token)).status).toBe(401);
    expect((await call("anthropic", live.token)).status).toBe(403);
    expect((await call("nonsense", live.token)).status).toBe(404);
    expect(upstream.requests.length).toBe(before);
  });

  it("passes upstream errors through with their status and body", async () => {
    const { token } = await sessionWithToken("custom");
    upstream.enqueue([{ error: { status: 429, body: { error: { message: "slow down" } } } }]);
    const response = await fetch(`${gatewayUrl}/custom/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(chatBody),
    });
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({ error: { message: "slow down" } });
  });

  it("closes the upstream stream when the sandbox hangs up", async () => {
    const { token } = await sessionWithToken("custom");
    upstream.enqueue([{ text: "partial" }, { hang: true }]);
    const controller = new AbortController();
    const response = await fetch(`${gatewayUrl}/custom/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(chatBody),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect.poll(() => upstream.requests.at(-1)?.aborted).toBe(true);
  });
});
