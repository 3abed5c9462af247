// tRPC's own HTTP handler over the studio's router, context and event bus, in the studio's process:
// how `sessions.events` was served before the studio's own SSE writer (`@studio/api`'s
// session-events-sse.ts). The capacity benchmark runs each step through both, in the same run.
// (Imported by path: the benchmark has no dependency of its own on the API package or on tRPC.)
import http from "node:http";
import { createHTTPHandler } from "../../../apps/server/node_modules/@trpc/server/dist/adapters/standalone.mjs";
import { createRequestContext } from "../../../apps/server/src/http/context.ts";
import { appRouter } from "../../api/src/index.ts";
import type { BenchStack } from "./stack.ts";

/** Starts it on a free port; returns its URL and how to stop it. */
export async function startTrpcSse(stack: BenchStack): Promise<{ url: string; close(): void }> {
  const deps = {
    config: stack.config,
    db: stack.db,
    logger: stack.logger,
    publicUrl: stack.url,
    origins: { hostAllowed: () => true, originAllowed: () => true },
    sessions: stack.sessions,
    keys: {},
  } as unknown as Parameters<typeof createRequestContext>[2];
  const handler = createHTTPHandler({
    router: appRouter,
    basePath: "/api/trpc/",
    createContext: ({ req, res }: { req: http.IncomingMessage; res: http.ServerResponse }) =>
      createRequestContext(req, res, deps),
  });
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
