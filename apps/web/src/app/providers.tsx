import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { Toasts } from "../components/ui/Toast.tsx";
import { errorCode } from "../lib/errors.ts";
import { createBrowserTRPCClient, TRPCProvider } from "../lib/trpc.ts";
import { ThemeProvider, useTheme } from "./theme.tsx";

const noRetryCodes = new Set([
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "TOO_MANY_REQUESTS",
]);

/** tRPC keys start with the procedure path, e.g. [["auth", "me"], {...}]. */
const isMeQuery = (queryKey: readonly unknown[]) => {
  const path = queryKey[0];
  return Array.isArray(path) && path[0] === "auth" && path[1] === "me";
};

function createQueryClient() {
  // When a session ends elsewhere (sign-out everywhere, password change), the next failing call
  // re-asks who is signed in, and the app shell sends the visitor to the sign-in page.
  const onError = (error: unknown) => {
    if (errorCode(error) === "UNAUTHORIZED") {
      void queryClient.invalidateQueries({ predicate: (query) => isMeQuery(query.queryKey) });
    }
  };
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        retry: (failures, error) => !noRetryCodes.has(errorCode(error) ?? "") && failures < 2,
      },
      mutations: { retry: false },
    },
  });
  return queryClient;
}

function ThemedToasts() {
  return <Toasts theme={useTheme().resolved} />;
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  const [trpcClient] = useState(createBrowserTRPCClient);
  return (
    <ThemeProvider>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          {children}
          <ThemedToasts />
        </TRPCProvider>
      </QueryClientProvider>
    </ThemeProvider>
  );
}
