import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ScriptedModelServer, startScriptedModelServer } from "./index.ts";
import { json, post, requestBodies, sseJson, TITLE_SYSTEM } from "./test-support/http.ts";

let server: ScriptedModelServer;

beforeEach(async () => {
  server = await startScriptedModelServer();
});
afterEach(async () => {
  await server.close();
});

const chatText = (raw: string) =>
  sseJson(raw)
    .flatMap((c) => c.choices?.map((ch: any) => ch.delta.content ?? "") ?? [])
    .join("");

describe("routing and recording", () => {
  it("serves every format under any path prefix and records what arrived", async () => {
    const cases = [
      { path: "/gw/s1/openai/v1/chat/completions", body: requestBodies.chat(), format: "chat-completions" },
      { path: "/p/v1/responses", body: requestBodies.responses(), format: "responses" },
      { path: "/x/y/v1/messages?beta=true", body: requestBodies.anthropic(), format: "anthropic" },
      {
        path: "/g/v1beta/models/gemini-test:streamGenerateContent?alt=sse",
        body: requestBodies.google(),
        format: "google",
      },
    ];
    for (const c of cases) {
      const res = await post(server.url + c.path, c.body, { "x-session-id": "ses_1" });
      expect(res.status, c.path).toBe(200);
      await res.text();
    }
    expect(server.requests.map((r) => r.format)).toEqual(cases.map((c) => c.format));
    const [chat, , anthropic, google] = server.requests;
    expect(chat!.path).toBe("/gw/s1/openai/v1/chat/completions");
    expect(chat!.headers["x-session-id"]).toBe("ses_1");
    expect(chat!.headers.authorization).toBe("Bearer test-key");
    expect(chat!.body).toEqual(requestBodies.chat());
    expect(chat!.model).toBe("scripted-1");
    expect(anthropic!.query).toEqual({ beta: "true" });
    expect(google!.model).toBe("gemini-test");
    expect(google!.stream).toBe(true);
  });

  it("answers 404 for unknown routes and 400 for bodies that are not JSON objects", async () => {
    const unknown = await post(`${server.url}/v1/embeddings`, { input: "x" });
    expect(unknown.status).toBe(404);
    const bad = await fetch(`${server.url}/v1/chat/completions`, { method: "POST", body: "not json" });
    expect(bad.status).toBe(400);
    expect(server.requests.map((r) => r.format)).toEqual(["unknown", "chat-completions"]);
    expect(server.requests[1]!.rawBody).toBe("not json");
  });

  it("uses defaultReply, else a short text, when the queue is empty", async () => {
    const url = `${server.url}/v1/chat/completions`;
    expect(chatText(await (await post(url, requestBodies.chat())).text())).toBe("Scripted reply.");
    const other = await startScriptedModelServer({ defaultReply: [{ text: "fallback" }] });
    const res = await post(`${other.url}/v1/chat/completions`, requestBodies.chat());
    expect(chatText(await res.text())).toBe("fallback");
    await other.close();
  });
});

describe("keys", () => {
  it("answers 401 when the key differs from expectedKey, and follows a changed key", async () => {
    const url = `${server.url}/v1/chat/completions`;
    server.expectedKey = "key-1";
    expect((await post(url, requestBodies.chat(), { authorization: "Bearer key-1" })).status).toBe(200);
    const wrong = await post(url, requestBodies.chat(), { authorization: "Bearer key-0" });
    expect(wrong.status).toBe(401);
    expect((await json(wrong)).error.code).toBe("invalid_api_key");

    server.expectedKey = "key-2";
    expect((await post(url, requestBodies.chat(), { authorization: "Bearer key-1" })).status).toBe(401);
    const anthropic = await post(`${server.url}/v1/messages`, requestBodies.anthropic(), {
      authorization: "",
      "x-api-key": "key-2",
    });
    expect(anthropic.status).toBe(200);
    await anthropic.text();
    const google = await post(`${server.url}/v1beta/models/g:generateContent`, requestBodies.google(), {
      authorization: "",
      "x-goog-api-key": "nope",
    });
    expect(google.status).toBe(401);
    expect((await json(google)).error.status).toBe("UNAUTHENTICATED");
    expect(server.requests.map((r) => r.authorized)).toEqual([true, false, false, true, false]);
  });
});

describe("timing: delays, hangs, aborts", () => {
  it("lets a test act mid-stream, then sees the client's abort of a hanging stream", async () => {
    server.enqueue([{ text: ["before the hang"] }, { hang: true }]);
    const controller = new AbortController();
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify(requestBodies.chat()),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    await server.waitForRequests(1);
    const reader = res.body!.getReader();
    let received = "";
    while (!received.includes("before the hang")) {
      const { value } = await reader.read();
      received += new TextDecoder().decode(value);
    }
    expect(server.requests[0]!.aborted).toBe(false);
    controller.abort();
    await expect.poll(() => server.requests[0]!.aborted).toBe(true);
  });

  it("with replyFor, answers from the request itself, the same request the same way", async () => {
    const deterministic = await startScriptedModelServer({
      replyFor: (request) => [
        { text: JSON.stringify(request.body).includes('"role":"tool"') ? "after" : "before" },
      ],
    });
    try {
      deterministic.enqueue([{ text: "queued" }]);
      const texts: string[] = [];
      const toolResult = { role: "tool", tool_call_id: "call_1", content: "done" };
      const answered = requestBodies.chat();
      answered.messages = [...answered.messages, toolResult];
      for (const body of [requestBodies.chat(), requestBodies.chat(), answered]) {
        const res = await post(`${deterministic.url}/v1/chat/completions`, body);
        texts.push(chatText(await res.text()));
      }
      expect(texts).toEqual(["before", "before", "after"]);
      expect(deterministic.queued).toBe(1);
    } finally {
      await deterministic.close();
    }
  });

  it("hangs a non-streamed request until the client gives up", async () => {
    server.enqueue([{ hang: true }]);
    const controller = new AbortController();
    const pending = fetch(`${server.url}/v1beta/models/g:generateContent`, {
      method: "POST",
      body: JSON.stringify(requestBodies.google()),
      signal: controller.signal,
    });
    await server.waitForRequests(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await expect.poll(() => server.requests[0]!.aborted).toBe(true);
  });

  it("delays before the response starts", async () => {
    server.enqueue([{ delayMs: 50 }, { text: "late" }]);
    const res = await post(`${server.url}/v1/chat/completions`, requestBodies.chat());
    expect(chatText(await res.text())).toBe("late");
  });

  it("holds a reply until a title request arrives; once one has, a wait for it ends at once", async () => {
    server.enqueue(
      [{ awaitTitleMs: 60_000 }, { text: "after the title" }],
      [{ awaitTitleMs: 60_000 }, { text: "no title needed twice" }],
    );
    let answered = false;
    const held = post(`${server.url}/v1/chat/completions`, requestBodies.chat()).then(async (res) => {
      answered = true;
      return chatText(await res.text());
    });
    await server.waitForRequests(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    const titleBody = requestBodies.chat({
      messages: [
        { role: "system", content: TITLE_SYSTEM },
        { role: "user", content: "say hello" },
      ],
      tools: [],
    });
    await (await post(`${server.url}/v1/chat/completions`, titleBody)).text();
    expect(await held).toBe("after the title");
    const later = await post(`${server.url}/v1/chat/completions`, requestBodies.chat());
    expect(chatText(await later.text())).toBe("no title needed twice");
    expect(server.requests.map((r) => r.isTitle)).toEqual([false, true, false]);
  });

  it("gives up waiting for a title after the time it was given", async () => {
    server.enqueue([{ awaitTitleMs: 30 }, { text: "went on alone" }]);
    const res = await post(`${server.url}/v1/chat/completions`, requestBodies.chat());
    expect(chatText(await res.text())).toBe("went on alone");
    expect(server.requests.some((r) => r.isTitle)).toBe(false);
  });

  it("waitForRequests counts main requests only and resolves at once when already reached", async () => {
    const waiting = server.waitForRequests(2);
    let resolved = false;
    void waiting.then(() => {
      resolved = true;
    });
    await (await post(`${server.url}/v1/chat/completions`, requestBodies.chat())).text();
    expect(resolved).toBe(false);
    await (await post(`${server.url}/v1/chat/completions`, requestBodies.chat())).text();
    await waiting;
    await server.waitForRequests(1);
  });

  it("closes even while a stream hangs", async () => {
    server.enqueue([{ hang: true }]);
    const res = await post(`${server.url}/v1/chat/completions`, requestBodies.chat());
    const body = res.text().catch(() => "closed");
    await server.waitForRequests(1);
    await server.close();
    await body;
    expect(server.requests[0]!.aborted).toBe(true);
    server = await startScriptedModelServer();
  });
});
