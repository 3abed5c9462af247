import type { AppRouter } from "@studio/api";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import superjson from "superjson";

export type { AppRouter };

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

const url = "/api/trpc";

/** Same origin: the session cookie travels by itself, so no headers are needed. */
export function createBrowserTRPCClient() {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url, transformer: superjson }),
        false: httpBatchLink({
          url,
          transformer: superjson,
          // The server refuses batches of more than 10 calls (MAX_BATCH_SIZE in apps/server).
          maxItems: 10,
          fetch: (input, init) => fetch(input, { ...init, credentials: "same-origin" }),
        }),
      }),
    ],
  });
}

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type Me = NonNullable<RouterOutputs["auth"]["me"]>;
