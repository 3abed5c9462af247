// What crosses the gateway in each direction (issue 16, point 1): only the content types the wire
// formats answer with (an upstream's HTML page never reaches a browser on the studio's origin), only
// the response headers a client needs, and only the request headers each provider's client sends,
// so a sandbox cannot act on the platform's account (organisation, project, beta features).
import http from "node:http";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ORG_KEY, seedSession, useGatewayFixture } from "./test-support/gateway-fixture.ts";

const database = useTestDatabase();
const fixture = useGatewayFixture(database);
/** An organisation's own endpoint that answers as each test says. */
let endpoint: http.Server;
let endpointUrl: string;
let answer: (res: http.ServerResponse) => void;
let seen: http.IncomingHttpHeaders[] = [];

const SSE_REPLY =
  'data: {"id":"c","object":"chat.completion.chunk","model":"scripted-1","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}\n\n' +
  'data: {"id":"c","object":"chat.completion.chunk","model":"scripted-1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}\n\ndata: [DONE]\n\n';

beforeAll(async () => {
  endpoint = http.createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on("end", () => answer(res));
  });
  await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as { port: number }).port}/v1`;
});
afterAll(async () => {
  endpoint.closeAllConnections();
  await new Promise((resolve) => endpoint.close(resolve));
});

async function callEndpoint(headers: Record<string, string> = {}) {
  const { token } = await seedSession(database.db, fixture.keyring, {
    provider: "custom",
    model: "scripted-1",
    keySource: "direct",
    organizationKey: { provider: "custom", apiKey: ORG_KEY, baseUrl: endpointUrl },
  });
  seen = [];
  return fetch(`${fixture.url}/custom/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({
      model: "scripted-1",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "hi" }],
    }),
  });
}

const expectSecurityHeaders = (response: Response) => {
  expect(response.headers.get("content-security-policy")).toBe("sandbox; default-src 'none'");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
};

describe("response content types", () => {
  it("turns an upstream's HTML page into a 502 with a plain message", async () => {
    answer = (res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "set-cookie": "a=b" });
      res.end("<script>document.title = 'PWNED-' + location.hostname</script>");
    };
    const response = await callEndpoint();
    expect(response.status).toBe(502);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("set-cookie")).toBeNull();
    expectSecurityHeaders(response);
    const text = await response.text();
    expect(text).not.toContain("<script");
    expect(JSON.parse(text)).toEqual({
      error: {
        type: "studio_gateway_error",
        message:
          "The model provider answered with text/html (HTTP 200), which the studio does not pass on: only JSON and event streams.",
      },
    });
  });

  it.each([
    ["no content type", {}],
    ["text/plain", { "content-type": "text/plain" }],
    ["an SVG image", { "content-type": "image/svg+xml" }],
    ["JSON's name inside another type", { "content-type": "text/html; x=application/json" }],
  ])("refuses an answer with %s", async (_name, headers) => {
    answer = (res) => {
      res.writeHead(429, headers);
      res.end("<svg onload=alert(1)>");
    };
    const response = await callEndpoint();
    expect(response.status).toBe(502);
    expectSecurityHeaders(response);
    expect(await response.text()).not.toContain("<svg");
  });

  it("passes JSON and event streams on, with the gateway's security headers", async () => {
    answer = (res) => {
      res.writeHead(400, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ error: { message: "bad request" } }));
    };
    const json = await callEndpoint();
    expect(json.status).toBe(400);
    expectSecurityHeaders(json);
    expect(await json.json()).toEqual({ error: { message: "bad request" } });

    answer = (res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(SSE_REPLY);
    };
    const stream = await callEndpoint();
    expect(stream.status).toBe(200);
    expectSecurityHeaders(stream);
    expect(await stream.text()).toBe(SSE_REPLY);
  });
});

describe("response headers", () => {
  it("pass only what a client needs: no cookies, no account or rate-limit headers", async () => {
    answer = (res) => {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "set-cookie": ["session=stolen; Path=/", "other=1"],
        "openai-organization": "org-platform",
        "openai-project": "proj_platform",
        "anthropic-organization-id": "0000-platform",
        "x-ratelimit-remaining-requests": "499",
        "anthropic-ratelimit-tokens-limit": "80000",
        "access-control-allow-origin": "*",
        "content-security-policy": "script-src *",
        "x-frame-options": "ALLOWALL",
        location: "https://attacker.example/",
        "x-request-id": "req_123",
        "request-id": "req_456",
        "retry-after": "3",
      });
      res.end(SSE_REPLY);
    };
    const response = await callEndpoint();
    expect(response.status).toBe(200);
    await response.text();
    for (const name of [
      "set-cookie",
      "openai-organization",
      "openai-project",
      "anthropic-organization-id",
      "x-ratelimit-remaining-requests",
      "anthropic-ratelimit-tokens-limit",
      "access-control-allow-origin",
      "x-frame-options",
      "location",
    ])
      expect(response.headers.get(name), name).toBeNull();
    expectSecurityHeaders(response);
    expect(response.headers.get("x-request-id")).toBe("req_123");
    expect(response.headers.get("request-id")).toBe("req_456");
    expect(response.headers.get("retry-after")).toBe("3");
    expect(response.headers.get("x-studio-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("are the security headers on the gateway's own errors too", async () => {
    const response = await fetch(`${fixture.url}/nonsense/chat/completions`, { method: "POST", body: "{}" });
    expect(response.status).toBe(404);
    expectSecurityHeaders(response);
  });
});

describe("request headers", () => {
  it("reach the provider only when its client sends them: none acting on the platform's account", async () => {
    answer = (res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(SSE_REPLY);
    };
    const response = await callEndpoint({
      "openai-organization": "org-other",
      "openai-project": "proj_other",
      "openai-beta": "assistants=v2",
      "x-goog-user-project": "someone-elses",
      "x-forwarded-for": "10.0.0.1",
      cookie: "studio_session=abc",
      "x-session-id": "ses_1",
      "x-session-affinity": "ses_1",
      "user-agent": "opencode/1.18.33",
    });
    expect(response.status).toBe(200);
    await response.text();
    const headers = seen.at(-1)!;
    for (const name of [
      "openai-organization",
      "openai-project",
      "openai-beta",
      "x-goog-user-project",
      "x-forwarded-for",
      "cookie",
    ])
      expect(headers[name], name).toBeUndefined();
    expect(headers["x-session-id"]).toBe("ses_1");
    expect(headers["x-session-affinity"]).toBe("ses_1");
    expect(headers["user-agent"]).toBe("opencode/1.18.33");
    expect(headers.authorization).toBe(`Bearer ${ORG_KEY}`);
  });

  it("keep Anthropic's version and the beta features OpenCode uses, and drop other betas", async () => {
    const { token } = await seedSession(database.db, fixture.keyring, {
      provider: "anthropic",
      model: "claude-haiku-4-5",
      creditsMicroUsd: 1_000_000n,
    });
    fixture.upstream.enqueue([{ text: "ok" }]);
    const response = await fetch(`${fixture.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-api-key": token,
        "anthropic-version": "2023-06-01",
        "anthropic-beta":
          "interleaved-thinking-2025-05-14, files-api-2025-04-14,fine-grained-tool-streaming-2025-05-14,context-1m-2025-08-07,structured-outputs-2025-11-13",
      },
      body: JSON.stringify({
        model: "claude-haiku-4-5",
        max_tokens: 10,
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(response.status).toBe(200);
    await response.text();
    const headers = fixture.upstream.requests.at(-1)!.headers;
    expect(headers["anthropic-version"]).toBe("2023-06-01");
    expect(headers["anthropic-beta"]).toBe(
      "interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14,structured-outputs-2025-11-13",
    );
  });
});
