import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ScriptedModelServer, startScriptedModelServer } from "./index.ts";
import { json, post, requestBodies, sseJson } from "./test-support/http.ts";

let server: ScriptedModelServer;

beforeEach(async () => {
  server = await startScriptedModelServer({ control: true, defaultReply: [{ text: "default" }] });
});
afterEach(async () => {
  await server.close();
});

const chatText = (raw: string) =>
  sseJson(raw)
    .flatMap((c) => c.choices?.map((ch: { delta: { content?: string } }) => ch.delta.content ?? "") ?? [])
    .join("");

async function ask(prompt: string): Promise<string> {
  const body = requestBodies.chat({
    messages: [
      { role: "system", content: "You are opencode." },
      { role: "user", content: prompt },
    ],
  });
  return chatText(await (await post(`${server.url}/v1/chat/completions`, body)).text());
}

const control = (path: string, body?: unknown) =>
  body === undefined ? fetch(`${server.url}/_control/${path}`) : post(`${server.url}/_control/${path}`, body);

describe("control endpoint", () => {
  it("queues replies from another process, in order, then falls back to the default", async () => {
    const res = await control("enqueue", { replies: [[{ text: "one" }], { steps: [{ text: "two" }] }] });
    expect(res.status).toBe(200);
    expect(await json(await control("state"))).toEqual({ queued: 2, keyed: {} });
    expect(await ask("a")).toBe("one");
    expect(await ask("b")).toBe("two");
    expect(await ask("c")).toBe("default");
  });

  it("answers keyed replies only to requests that carry their marker, the latest marker first", async () => {
    await control("enqueue", { match: "[m1]", replies: [[{ text: "for m1" }]] });
    await control("enqueue", { match: "[m2]", replies: [[{ text: "for m2" }], [{ text: "m2 again" }]] });
    await control("enqueue", { replies: [[{ text: "unkeyed" }]] });
    expect(await json(await control("state"))).toEqual({ queued: 1, keyed: { "[m1]": 1, "[m2]": 2 } });

    expect(await ask("no marker here")).toBe("unkeyed");
    // A later turn repeats the earlier prompt in its history: the marker written last decides.
    expect(await ask("[m1] first, then [m2] second")).toBe("for m2");
    expect(await ask("[m1] only")).toBe("for m1");
    expect(await ask("[m1] spent, [m2] still queued")).toBe("m2 again");
    expect(await ask("[m2] spent")).toBe("default");
    expect(await json(await control("state"))).toEqual({ queued: 0, keyed: {} });
  });

  it("lists recorded requests without their bodies and resets everything", async () => {
    await control("enqueue", { replies: [[{ text: "queued" }]], match: "x" });
    await control("enqueue", { replies: [[{ text: "queued" }]] });
    await ask("hello");
    const listed = await json(await control("requests"));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ path: "/v1/chat/completions", model: "scripted-1", isTitle: false });
    expect(listed[0]).not.toHaveProperty("rawBody");
    // One test's own requests, by the marker in their bodies, whatever other tests sent meanwhile.
    await ask("[mine] hello");
    await ask("[other] hello");
    const mine = await json(await control("requests?match=%5Bmine%5D"));
    expect(mine).toHaveLength(1);
    expect(await json(await control("requests?match=%5Bnobody%5D"))).toEqual([]);

    expect((await control("reset", {})).status).toBe(200);
    expect(await json(await control("requests"))).toEqual([]);
    expect(await json(await control("state"))).toEqual({ queued: 0, keyed: {} });
    expect(server.requests).toHaveLength(0);
  });

  it("refuses malformed scripts and unknown actions, and is off unless asked for", async () => {
    expect((await control("enqueue", { replies: [] })).status).toBe(400);
    expect((await control("enqueue", { replies: [{ nope: 1 }] })).status).toBe(400);
    expect((await control("enqueue", { replies: [[]], match: "" })).status).toBe(400);
    const bad = await fetch(`${server.url}/_control/enqueue`, { method: "POST", body: "{" });
    expect(bad.status).toBe(400);
    expect((await control("explode", {})).status).toBe(404);
    expect(server.requests).toHaveLength(0);

    const plain = await startScriptedModelServer();
    const res = await post(`${plain.url}/_control/enqueue`, { replies: [[{ text: "x" }]] });
    expect(res.status).toBe(404);
    expect(plain.queued).toBe(0);
    await plain.close();
  });
});
