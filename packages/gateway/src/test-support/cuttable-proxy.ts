// A TCP proxy in front of PostgreSQL that a test can cut, as a network partition or a database
// restart would: every open connection drops and new ones are closed at once until it is restored.
import net from "node:net";

export interface CuttableProxy {
  /** The database URL, through the proxy. */
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startCuttableProxy(databaseUrl: string): Promise<CuttableProxy> {
  const target = new URL(databaseUrl);
  // The embedded PostgreSQL listens on a Unix socket only (`?host=<directory>`).
  const socketDir = target.searchParams.get("host");
  const open = new Set<net.Socket>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = socketDir
      ? net.connect({ path: `${socketDir}/.s.PGSQL.${target.port || 5432}` })
      : net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const via = new URL(databaseUrl);
  via.hostname = "127.0.0.1";
  via.port = String((server.address() as net.AddressInfo).port);
  via.searchParams.delete("host");
  return {
    url: via.toString(),
    cut: () => {
      down = true;
      for (const socket of open) socket.destroy();
    },
    restore: () => {
      down = false;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
