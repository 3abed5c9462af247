// Reading the stream again from a stored position (a consumer whose database went away), and how
// the end of a stream is logged: an ACP server that is gone is the consumer's to judge (a stop the
// studio asked for is no error), other refusals stay errors.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeTransport, problem, sendEvent, update } from "../test/fake-transport.ts";
import { fakeTransportClient, recordingLogger, take as takeFrom } from "../test/fake-transport-client.ts";
import type { AcpClient } from "./client.ts";
import type { AcpInbound } from "./types.ts";

let fake: FakeTransport;
let client: AcpClient;
const { logged, logger } = recordingLogger();

beforeEach(async () => {
  fake = await FakeTransport.start();
  logged.length = 0;
});

afterEach(async () => {
  await client?.close();
  await fake.stop();
});

function makeClient(lastEventId: number | null) {
  client = fakeTransportClient(fake, { token: null, lastEventId, logger });
  client.start();
  return client;
}

const take = (n: number) => takeFrom(client, n);

const textOf = (item: AcpInbound) =>
  (item as { params?: { update?: { content?: { text?: string } } } }).params?.update?.content?.text;

describe("AcpClient rewind", () => {
  it("drops what was not consumed and reads again after the given id, each message once", async () => {
    makeClient(null);
    await fake.until(() => fake.streams.length === 1);
    const first = fake.streams[0]!.res;
    for (const [id, text] of [
      [1, "a"],
      [2, "b"],
      [3, "c"],
    ] as const)
      sendEvent(first, id, update(text));
    expect((await take(2)).map(textOf)).toEqual(["a", "b"]);
    // "b" was handed over but not stored; "c" was queued, not yet consumed.
    client.rewind("1");
    await fake.until(() => fake.streams.length === 2);
    expect(fake.streams[1]!.lastEventId).toBe("1");
    // A late write on the old connection is not delivered.
    sendEvent(first, 4, update("stale"));
    const second = fake.streams[1]!.res;
    for (const [id, text] of [
      [2, "b"],
      [3, "c"],
      [4, "d"],
    ] as const)
      sendEvent(second, id, update(text));
    expect((await take(3)).map(textOf)).toEqual(["b", "c", "d"]);
    expect(client.lastEventId).toBe(4);
  });

  it("rewound to nothing stored, asks for the server's whole buffer", async () => {
    makeClient(7);
    await fake.until(() => fake.streams.length === 1);
    client.rewind(null);
    await fake.until(() => fake.streams.length === 2);
    expect(fake.streams[1]!.lastEventId).toBeUndefined();
  });
});

describe("the end of a stream, in the log", () => {
  it("a server that is gone (404) is left to the consumer: no warning or error from the transport", async () => {
    fake.onStream = ({ res }) => problem(res, 404, "session_not_found", "session not found: srv-1");
    makeClient(5);
    const error = await take(1).catch((e) => e);
    expect(error).toMatchObject({ status: 404, code: "session_not_found" });
    expect(logged.filter((entry) => entry.level === "warn" || entry.level === "error")).toEqual([]);
    expect(logged).toContainEqual({ level: "debug", message: "acp sse: the ACP server is gone" });
  });

  it("a refusal that is the studio's own mistake stays an error", async () => {
    fake.onStream = ({ res }) => problem(res, 401, "unauthorized", "bad token");
    makeClient(5);
    await take(1).catch(() => {});
    expect(logged).toContainEqual({ level: "error", message: "acp sse: stream refused for good" });
  });
});
