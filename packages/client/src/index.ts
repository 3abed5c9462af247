// A typed client for Node programs: every procedure of the studio's API, authenticated with a
// personal API token (Settings → API tokens). Subscriptions use Server-Sent Events.
import type { AppRouter } from "@studio/api";
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
} from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";

export interface StudioClientOptions {
  /** The studio's origin, e.g. http://localhost:3000. */
  url: string;
  /** A personal API token, `st_…`. */
  token: string;
  /** For tests and proxies; defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
}

export type StudioClient = TRPCClient<AppRouter>;

export function createStudioClient({ url, token, fetch }: StudioClientOptions): StudioClient {
  const endpoint = `${url.replace(/\/+$/, "")}/api/trpc`;
  const authorization = `Bearer ${token}`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: endpoint,
          transformer: superjson,
          // Node has no EventSource; this one accepts headers, so the token needs no query string.
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) =>
              (fetch ?? globalThis.fetch)(input, { ...init, headers: { ...init.headers, authorization } }),
          }),
        }),
        false: httpBatchLink({
          url: endpoint,
          transformer: superjson,
          // The server refuses batches of more than 10 calls (MAX_BATCH_SIZE).
          maxItems: 10,
          headers: () => ({ authorization }),
          ...(fetch ? { fetch } : {}),
        }),
      }),
    ],
  });
}

export type { AppRouter, inferRouterInputs, inferRouterOutputs } from "@studio/api";
export { TRPCClientError };
