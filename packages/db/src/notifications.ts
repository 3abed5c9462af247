// One LISTEN connection per server process, shared by every subscriber in it. PostgreSQL delivers
// NOTIFY to every listening connection of every replica, so any replica can serve any subscriber.
import pg from "pg";

export type NotificationHandler = (payload: string) => void;

export interface NotificationListener {
  /** Calls `handler` for each notification on `channel`; returns the unsubscribe function. */
  subscribe(channel: string, handler: NotificationHandler): () => void;
  /** Called after the connection was lost and re-established: notifications may have been missed. */
  onReconnect(handler: () => void): () => void;
  close(): Promise<void>;
}

export async function createNotificationListener(
  databaseUrl: string,
  options: { onError?: (error: Error) => void } = {},
): Promise<NotificationListener> {
  const handlers = new Map<string, Set<NotificationHandler>>();
  const reconnectHandlers = new Set<() => void>();
  let client: pg.Client | null = null;
  let closed = false;
  let retryDelay = 100;

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString: databaseUrl });
    next.on("notification", (message) => {
      for (const handler of handlers.get(message.channel) ?? []) handler(message.payload ?? "");
    });
    next.on("error", (error) => {
      options.onError?.(error);
      void reconnect(next);
    });
    next.on("end", () => void reconnect(next));
    await next.connect();
    for (const channel of handlers.keys()) await next.query(`LISTEN "${channel}"`);
    client = next;
    retryDelay = 100;
  }

  async function reconnect(lost: pg.Client) {
    if (closed || client !== lost) return;
    client = null;
    while (!closed && !client) {
      await new Promise((resolve) => setTimeout(resolve, retryDelay));
      retryDelay = Math.min(retryDelay * 2, 5000);
      try {
        await connect();
        for (const handler of reconnectHandlers) handler();
      } catch (error) {
        options.onError?.(error as Error);
      }
    }
  }

  await connect();

  return {
    subscribe(channel, handler) {
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        void client?.query(`LISTEN "${channel}"`).catch((error: Error) => options.onError?.(error));
      }
      set.add(handler);
      return () => {
        set.delete(handler);
      };
    },
    onReconnect(handler) {
      reconnectHandlers.add(handler);
      return () => reconnectHandlers.delete(handler);
    },
    async close() {
      closed = true;
      await client?.end().catch(() => {});
      client = null;
    },
  };
}
