// A TCP proxy in front of PostgreSQL that a test cuts, as a network partition or a failover would:
// open connections drop, and new ones are refused until it is restored. The gateway's recorder and
// the runner's outage tests use it.
import net from "node:net";

export interface CuttablePostgres {
  /** The database URL, through the proxy. */
  url: string;
  cut(): void;
  restore(): void;
  /** Connections refused while cut: someone tried. */
  readonly refused: number;
  close(): Promise<void>;
}

export async function startCuttablePostgres(databaseUrl: string): Promise<CuttablePostgres> {
  const target = new URL(databaseUrl);
  // The test cluster listens on a Unix socket only (`?host=<directory>`).
  const socketDir = target.searchParams.get("host");
  const open = new Set<net.Socket>();
  let down = false;
  let refused = 0;
  const server = net.createServer((client) => {
    if (down) {
      refused += 1;
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
    get refused() {
      return refused;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
