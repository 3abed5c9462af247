// Transport tests: AcpClient against a scripted fake of sandbox-agent's HTTP transport, for the
// edge cases the real server cannot be made to produce on demand (a POST body racing its SSE
// copy, a POST that never answers, a dropped stream, a server that ignores Last-Event-ID,
// problem+json answers). Everything the real server can do is covered by client.int.test.ts.
import { silentLogger } from "@studio/models";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  answerJson,
  FakeTransport,
  openStream,
  problem,
  type RecordedPost,
  sendEvent,
  update,
} from "../test/fake-transport.ts";
import { fakeTransportClient, recordingLogger, take as takeFrom } from "../test/fake-transport-client.ts";
import type { AcpClient } from "./client.ts";
import { AcpHttpError, AcpRpcError, AgentExitedError } from "./errors.ts";

let fake: FakeTransport;
let client: AcpClient;

beforeEach(async () => {
  fake = await FakeTransport.start();
});

afterEach(async () => {
  await client?.close();
  await fake.stop();
});

function makeClient(extra: Partial<ConstructorParameters<typeof AcpClient>[0]> = {}) {
  client = fakeTransportClient(fake, { token: "tok", firstRequestId: 1, ...extra });
  return client;
}

const take = (n: number) => takeFrom(client, n);

const reply = (id: number, result: unknown) => ({ jsonrpc: "2.0", id, result });

describe("AcpClient transport", () => {
  it("settles a request once when both the POST body and the SSE stream carry its response", async () => {
    makeClient();
    fake.onPost = ({ body, res }) => answerJson(res, 200, reply(body.id as number, { protocolVersion: 1 }));
    const result = await client.initialize();
    expect(result).toEqual({ protocolVersion: 1 });
    expect(fake.posts[0]?.url).toBe("/v1/acp/srv-1?agent=opencode");
    expect(fake.posts[0]?.headers.authorization).toBe("Bearer tok");
    expect(fake.posts[0]?.body.params).toMatchObject({
      protocolVersion: 1,
      clientCapabilities: { terminal: false },
    });

    await fake.until(() => fake.streams.length === 1);
    const stream = fake.streams[0]!.res;
    expect(fake.streams[0]!.lastEventId).toBeUndefined();
    sendEvent(stream, 1, reply(1, { protocolVersion: 1 }));
    sendEvent(stream, 2, update("hi"));
    const items = await take(2);
    expect(items.map((i) => [i.type, i.eventId])).toEqual([
      ["response", "1"],
      ["notification", "2"],
    ]);
    expect(items[0]).toMatchObject({ method: "initialize", result: { protocolVersion: 1 } });
    expect(client.lastEventId).toBe(2);
  });

  it("takes the SSE copy when the POST never answers (request outliving the server timeout)", async () => {
    makeClient();
    fake.onPost = ({ body, res }) => answerJson(res, 200, reply(body.id as number, {}));
    await client.initialize();
    await fake.until(() => fake.streams.length === 1);

    const hung: RecordedPost[] = [];
    fake.onPost = (post) => hung.push(post); // no answer at all
    const turn = client.prompt("ses_1", [{ type: "text", text: "hello" }]);
    await fake.until(() => hung.length === 1);
    const stream = fake.streams[0]!.res;
    sendEvent(stream, 1, update("Hello"));
    sendEvent(stream, 2, reply(hung[0]!.body.id as number, { stopReason: "end_turn" }));
    await expect(turn).resolves.toEqual({ stopReason: "end_turn" });
    const items = await take(2);
    expect(items[1]).toMatchObject({ type: "response", method: "session/prompt" });
  });

  it("keeps waiting for the SSE copy when the POST connection breaks after the request was sent", async () => {
    let noticed: () => void = () => {};
    const postFailed = new Promise<void>((resolve) => {
      noticed = resolve;
    });
    makeClient({
      logger: { ...silentLogger, warn: (_f, message) => message.includes("POST") && noticed() },
    });
    fake.onPost = ({ body, res }) => answerJson(res, 200, reply(body.id as number, {}));
    await client.initialize();
    await fake.until(() => fake.streams.length === 1);
    // Like a proxy cutting a long-held request, or undici's 300 s header timeout.
    fake.onPost = ({ res }) => res.socket?.destroy();
    const turn = client.prompt("ses_1", []);
    await postFailed; // the client has seen the POST fail, and must still be waiting
    sendEvent(fake.streams[0]!.res, 1, reply(fake.posts[1]!.body.id as number, { stopReason: "end_turn" }));
    await expect(turn).resolves.toEqual({ stopReason: "end_turn" });
  });

  it("tells the agent's own requests from responses to ours by `method`, even with the same id", async () => {
    makeClient();
    fake.onPost = ({ body, res }) => answerJson(res, 200, reply(body.id as number, {}));
    await client.initialize(); // id 1
    await fake.until(() => fake.streams.length === 1);
    fake.onPost = () => {}; // prompt id 2 hangs
    const turn = client.prompt("ses_1", [{ type: "text", text: "go" }]);
    await fake.until(() => fake.posts.length === 2);
    const permission = {
      jsonrpc: "2.0",
      id: 2,
      method: "session/request_permission",
      params: { options: [] },
    };
    sendEvent(fake.streams[0]!.res, 1, permission);
    const [item] = await take(1);
    expect(item).toMatchObject({ type: "request", id: 2, method: "session/request_permission" });

    fake.onPost = ({ res }) => res.writeHead(202).end();
    await client.respondPermission(2, { outcome: "selected", optionId: "once" });
    expect(fake.posts[2]?.body).toEqual({
      jsonrpc: "2.0",
      id: 2,
      result: { outcome: { outcome: "selected", optionId: "once" } },
    });
    sendEvent(fake.streams[0]!.res, 2, reply(2, { stopReason: "end_turn" }));
    await expect(turn).resolves.toEqual({ stopReason: "end_turn" });
  });

  it("resumes a dropped stream with Last-Event-ID and delivers no duplicate when the server replays", async () => {
    makeClient();
    fake.onPost = ({ body, res }) => answerJson(res, 200, reply(body.id as number, {}));
    await client.initialize();
    await fake.until(() => fake.streams.length === 1);
    const first = fake.streams[0]!.res;
    sendEvent(first, 1, update("a"));
    sendEvent(first, 2, update("b"));
    expect((await take(2)).map((i) => i.eventId)).toEqual(["1", "2"]);
    first.destroy(); // the connection drops

    // The reconnect must say where it was; this server then ignores it and replays everything.
    await fake.until(() => fake.streams.length === 2);
    expect(fake.streams[1]!.lastEventId).toBe("2");
    const second = fake.streams[1]!.res;
    for (const [id, text] of [
      [1, "a"],
      [2, "b"],
      [3, "c"],
    ] as const)
      sendEvent(second, id, update(text));
    const [next] = await take(1);
    expect(next).toMatchObject({ eventId: "3", params: { update: { content: { text: "c" } } } });
    expect(client.lastEventId).toBe(3);
  });

  it("re-attaches from a given lastEventId without a POST first", async () => {
    makeClient({ lastEventId: "41" });
    client.start();
    await fake.until(() => fake.streams.length === 1);
    expect(fake.streams[0]!.lastEventId).toBe("41");
    expect(fake.streams[0]!.headers.authorization).toBe("Bearer tok");
  });

  it("maps problem+json to AcpHttpError and JSON-RPC errors to AcpRpcError", async () => {
    makeClient();
    fake.onPost = ({ res }) => problem(res, 404, "agent_not_installed", "agent not installed: opencode");
    const error = await client.initialize().catch((e) => e);
    expect(error).toBeInstanceOf(AcpHttpError);
    expect(error).toMatchObject({
      status: 404,
      code: "agent_not_installed",
      detail: "agent not installed: opencode",
    });
    expect(fake.streams).toHaveLength(0); // no stream for a server that was never created

    fake.onPost = ({ body, res }) =>
      answerJson(res, 200, {
        jsonrpc: "2.0",
        id: body.id,
        error: { code: -32601, message: "Method not found", data: { method: "x" } },
      });
    const rpc = await client.request("x/y", {}).catch((e) => e);
    expect(rpc).toBeInstanceOf(AcpRpcError);
    expect(rpc).toMatchObject({ code: -32601, message: "Method not found", data: { method: "x" } });
  });

  it("turns a 502 broken pipe into AgentExitedError, and fails every later request fast", async () => {
    makeClient();
    fake.onPost = ({ res }) =>
      problem(
        res,
        502,
        "stream_error",
        "stream error: failed writing to agent stdin: Broken pipe (os error 32)",
      );
    await expect(client.prompt("ses_1", [])).rejects.toBeInstanceOf(AgentExitedError);
    expect(client.agentExited).toBe(true);
    const posts = fake.posts.length;
    await expect(client.setMode("ses_1", "plan")).rejects.toBeInstanceOf(AgentExitedError);
    expect(fake.posts).toHaveLength(posts);
    // The consumer hears of it even with no stream, once, without moving the stream cursor.
    expect(await take(1)).toMatchObject([{ type: "agent_exited", eventId: "", exitCode: null }]);
  });

  it("rejects pending requests and tells the consumer when _adapter/agent_exited arrives", async () => {
    makeClient();
    fake.onPost = ({ body, res }) => answerJson(res, 200, reply(body.id as number, {}));
    await client.initialize();
    await fake.until(() => fake.streams.length === 1);
    fake.onPost = () => {};
    const turn = client.prompt("ses_1", []);
    await fake.until(() => fake.posts.length === 2);
    const exited = {
      jsonrpc: "2.0",
      method: "_adapter/agent_exited",
      params: { code: null, success: false },
    };
    sendEvent(fake.streams[0]!.res, 7, exited);
    await expect(turn).rejects.toBeInstanceOf(AgentExitedError);
    expect(await take(1)).toEqual([
      { type: "agent_exited", eventId: "7", exitCode: null, success: false, message: exited },
    ]);
    // A later POST hitting the dead agent does not announce the exit a second time.
    fake.onPost = ({ res }) =>
      problem(res, 502, "stream_error", "failed writing to agent stdin: Broken pipe");
    await expect(client.respondPermission(0, { outcome: "cancelled" })).rejects.toBeInstanceOf(
      AgentExitedError,
    );
    sendEvent(fake.streams[0]!.res, 8, update("after"));
    expect(await take(1)).toMatchObject([{ type: "notification", eventId: "8" }]);
  });

  it("ends the message iterator with the error when the server no longer knows the stream", async () => {
    makeClient({ lastEventId: 5 });
    fake.onStream = ({ res }) => problem(res, 404, "session_not_found", "session not found: srv-1");
    client.start();
    const error = await take(1).catch((e) => e);
    expect(error).toMatchObject({ status: 404, code: "session_not_found" });
  });

  it("close() aborts the DELETE that never returns, stops the stream and ends the iterator", async () => {
    makeClient();
    fake.onPost = ({ body, res }) => answerJson(res, 200, reply(body.id as number, {}));
    await client.initialize();
    await fake.until(() => fake.streams.length === 1);
    fake.onPost = () => {};
    const turn = client.prompt("ses_1", []).catch((e) => e);
    await client.close();
    expect(fake.deletes).toHaveLength(1);
    expect(await turn).toMatchObject({ name: "AcpClosedError" });
    expect(await take(1)).toEqual([]);
  });

  it("close() says nothing alarming when the server went away first, and warns otherwise", async () => {
    const { logged, logger } = recordingLogger();
    makeClient({ logger });
    fake.onPost = ({ body, res }) => answerJson(res, 200, reply(body.id as number, {}));
    await client.initialize();
    // The sandbox ended before the runner closed its client: the connection closes unanswered.
    fake.onDelete = (res) => res.socket?.destroy();
    await client.close();
    expect(fake.deletes).toHaveLength(1);
    expect(logged.filter((entry) => entry.message.startsWith("acp: DELETE"))).toEqual([
      { level: "debug", message: "acp: DELETE found the server gone" },
    ]);

    // A failure that is not the server being gone still warns.
    logged.length = 0;
    makeClient({ logger, baseUrl: fake.baseUrl.replace("http://", "http://user:pass@") });
    await client.close();
    expect(logged).toEqual([{ level: "warn", message: "acp: DELETE failed" }]);
  });

  it("reconnects after the server refused the stream with a 5xx, with backoff", async () => {
    makeClient({ lastEventId: 0 });
    let refusals = 0;
    fake.onStream = (connection) => {
      if (refusals++ < 2) return problem(connection.res, 503, "unavailable", "try later");
      openStream(connection.res);
      sendEvent(connection.res, 1, update("x"));
    };
    client.start();
    const [item] = await take(1);
    expect(item?.eventId).toBe("1");
    expect(fake.streams.map((s) => s.lastEventId)).toEqual(["0", "0", "0"]);
  });
});
