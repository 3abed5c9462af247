import net from "node:net";

/** A TCP port free on 127.0.0.1 right now. Another process may take it before we bind it: the
 * server start retries with fresh ports when sandbox-agent exits with "address in use". */
export function freePort(exclude: ReadonlySet<number> = new Set()): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => {
        if (!port || exclude.has(port)) freePort(exclude).then(resolve, reject);
        else resolve(port);
      });
    });
  });
}
