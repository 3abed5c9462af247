// The gateway is for programs, never for browsers (issue 16, point 1): a page elsewhere must not get
// it to answer a navigation or a cross-site form, and the session token is taken only where each
// wire format's own client sends it, so a URL alone (`?key=`) never authenticates outside Google.
import http from "node:http";
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { PLATFORM_KEY, seedSession, useGatewayFixture } from "./test-support/gateway-fixture.ts";

const database = useTestDatabase();
const fixture = useGatewayFixture(database);

const chatBody = JSON.stringify({
  model: "scripted-1",
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: "user", content: "hi" }],
});

const customSession = () =>
  seedSession(database.db, fixture.keyring, { provider: "custom", model: "scripted-1" });

const expectSecurityHeaders = (response: Response) => {
  expect(response.headers.get("content-security-policy")).toBe("sandbox; default-src 'none'");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
};

/** A POST with exactly these headers: fetch() sets Sec-Fetch-Mode itself, as a browser does. */
function rawPost(url: string, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      const req = http.request(url, { method: "POST", headers }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on("error", reject);
      req.end(body);
    },
  );
}

describe("requests from a browser", () => {
  it.each([
    ["an Origin header", { origin: "https://attacker.example" }],
    ["an opaque Origin", { origin: "null" }],
    ["Sec-Fetch-Mode: navigate", { "sec-fetch-mode": "navigate" }],
    ["Sec-Fetch-Dest: document", { "sec-fetch-dest": "document" }],
  ])("are refused when they carry %s, before anything reaches the provider", async (_name, headers) => {
    const { token } = await customSession();
    const before = fixture.upstream.requests.length;
    const response = await rawPost(
      `${fixture.url}/custom/chat/completions`,
      { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
      chatBody,
    );
    expect(response.status).toBe(403);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(response.headers["content-security-policy"]).toBe("sandbox; default-src 'none'");
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    expect(JSON.parse(response.body)).toEqual({
      error: {
        type: "studio_gateway_error",
        message: "The studio's model gateway answers programs, not web pages.",
      },
    });
    expect(fixture.upstream.requests.length).toBe(before);
  });

  it("are refused as the attack sends them: a cross-site text/plain form with the token in the URL", async () => {
    const { token } = await customSession();
    const before = fixture.upstream.requests.length;
    const response = await rawPost(
      `${fixture.url}/custom/chat/completions?key=${token}`,
      {
        "content-type": "text/plain",
        origin: "https://attacker.example",
        "sec-fetch-mode": "navigate",
        "sec-fetch-dest": "document",
        "sec-fetch-site": "cross-site",
      },
      `${chatBody.slice(0, -1)},"x":"=1"}`,
    );
    expect(response.status).toBe(403);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(fixture.upstream.requests.length).toBe(before);
  });
});

describe("a form's body", () => {
  it.each(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])(
    "is refused as %s even without an Origin header, since model calls are JSON",
    async (type) => {
      const { token } = await customSession();
      const before = fixture.upstream.requests.length;
      const response = await rawPost(
        `${fixture.url}/custom/chat/completions`,
        { "content-type": type, authorization: `Bearer ${token}` },
        chatBody,
      );
      expect(response.status).toBe(415);
      expect(response.headers["content-security-policy"]).toBe("sandbox; default-src 'none'");
      expect(fixture.upstream.requests.length).toBe(before);
    },
  );
});

describe("the session token", () => {
  it("is not taken from the query string outside Google's paths", async () => {
    const { token } = await customSession();
    const before = fixture.upstream.requests.length;
    const response = await fetch(`${fixture.url}/custom/chat/completions?key=${token}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chatBody,
    });
    expect(response.status).toBe(401);
    expectSecurityHeaders(response);
    expect(fixture.upstream.requests.length).toBe(before);
  });

  it("is taken only from the header the wire format's client uses", async () => {
    const { token } = await customSession();
    const openaiStyle = await fetch(`${fixture.url}/custom/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": token },
      body: chatBody,
    });
    expect(openaiStyle.status).toBe(401);
    const anthropic = await seedSession(database.db, fixture.keyring, {
      provider: "anthropic",
      model: "claude-haiku-4-5",
      creditsMicroUsd: 1_000_000n,
    });
    const body = JSON.stringify({
      model: "claude-haiku-4-5",
      max_tokens: 10,
      messages: [{ role: "user", content: "hi" }],
    });
    const googleStyle = await fetch(`${fixture.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": anthropic.token },
      body,
    });
    expect(googleStyle.status).toBe(401);
    fixture.upstream.enqueue([{ text: "ok" }]);
    const own = await fetch(`${fixture.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": anthropic.token },
      body,
    });
    expect(own.status).toBe(200);
    await own.text();
  });

  it("is taken from Google's `key` query parameter on Google's paths, and not passed on", async () => {
    const { token } = await seedSession(database.db, fixture.keyring, {
      provider: "google",
      model: "gemini-2.5-pro",
      creditsMicroUsd: 1_000_000n,
    });
    fixture.upstream.enqueue([{ text: "ok" }]);
    const response = await fetch(
      `${fixture.url}/google/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse&key=${token}`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
      },
    );
    expect(response.status).toBe(200);
    await response.text();
    const seen = fixture.upstream.requests.at(-1)!;
    expect(seen.query).toEqual({ alt: "sse" });
    expect(seen.headers["x-goog-api-key"]).toBe(PLATFORM_KEY);
  });
});
