// The client side of the transport tests: an AcpClient aimed at a FakeTransport (short timeouts and
// backoff, so a test never waits long), reading its messages, and a logger that records its lines.
import type { Logger } from "@studio/models";
import { AcpClient, type AcpClientOptions } from "../src/client.ts";
import type { AcpInbound } from "../src/types.ts";
import type { FakeTransport } from "./fake-transport.ts";

/** A client of `fake`'s server "srv-1"; `options` add to or replace the defaults. */
export function fakeTransportClient(
  fake: FakeTransport,
  options: Partial<AcpClientOptions> & Pick<AcpClientOptions, "token">,
): AcpClient {
  return new AcpClient({
    baseUrl: fake.baseUrl,
    serverId: "srv-1",
    closeTimeoutMs: 50,
    reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
}

/** The client's next `n` inbound items (rejects with what ended the stream first). */
export async function take(client: AcpClient, n: number): Promise<AcpInbound[]> {
  const items: AcpInbound[] = [];
  for await (const item of client.messages()) {
    items.push(item);
    if (items.length === n) break;
  }
  return items;
}

/** A logger that keeps the level and message of every line, in order. */
export function recordingLogger(): { logger: Logger; logged: { level: string; message: string }[] } {
  const logged: { level: string; message: string }[] = [];
  const record = (level: string) => (_fields: unknown, message: string) => {
    logged.push({ level, message });
  };
  return {
    logged,
    logger: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") },
  };
}
