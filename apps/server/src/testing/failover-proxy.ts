// A minimal load balancer for multi-replica tests: forwards each request to the first replica that
// accepts a connection, so the address sandboxes use for the gateway outlives any one replica.
import http from "node:http";

export interface FailoverProxy {
  url: string;
  /** Replace the replicas, in order of preference. */
  setTargets(targets: string[]): void;
  close(): Promise<void>;
}

export async function startFailoverProxy(port: number, targets: string[]): Promise<FailoverProxy> {
  let order = targets;
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, index: number) => {
    const target = order[index];
    if (!target) {
      res.writeHead(502).end("no replica reachable");
      return;
    }
    const upstream = http.request(
      new URL(req.url ?? "/", target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED" && !res.headersSent) forward(req, res, body, index + 1);
      else res.destroy();
    });
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.end(body);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => forward(req, res, Buffer.concat(chunks), 0));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    setTargets: (next) => {
      order = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
