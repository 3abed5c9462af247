// The floor under the gateway's latency: a pass-through proxy in the studio's process (the bench
// runs the studio in its own) with the gateway's transport (forward.ts: the kept-alive upstream
// connection, the answer streamed back with backpressure) and nothing else: no token, model or
// credit checks, no metering, no ledger. What it adds is what two more loopback hops and Node's HTTP
// handling cost on the machine before the gateway does any work of its own.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { forwardCall } from "@studio/gateway/forward";

// Hop-by-hop headers, and the length the proxy sets itself.
const NOT_FORWARDED = new Set(["host", "connection", "keep-alive", "transfer-encoding", "content-length"]);

export interface BareProxy {
  /** http://127.0.0.1:<port>; paths are passed on to the upstream as they are. */
  url: string;
  close(): void;
}

export async function startBareProxy(upstreamUrl: string): Promise<BareProxy> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string | string[]> = { "content-length": String(body.length) };
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !NOT_FORWARDED.has(name)) headers[name] = value;
      }
      const url = new URL(req.url ?? "/", upstreamUrl);
      forwardCall({ url, method: req.method ?? "POST", headers, body }, res, {
        responseHeaders: {},
        onResponse: () => {},
        onChunk: () => {},
        onSettled: () => {},
        onUnreachable: () => void res.writeHead(502).end(),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  };
}
