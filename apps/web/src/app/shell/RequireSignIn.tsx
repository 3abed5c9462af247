import { useQuery } from "@tanstack/react-query";
import { Navigate, useLocation } from "react-router";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { LogoMark } from "../../components/ui/Logo.tsx";
import { Spinner } from "../../components/ui/Spinner.tsx";
import { authHref } from "../../features/auth/auth-links.ts";
import { CurrentUserContext } from "../../features/auth/current-user.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { AppShell } from "./AppShell.tsx";

/** The signed-in part of the app: asks who is signed in, and sends visitors to sign in first. */
export function RequireSignIn() {
  const trpc = useTRPC();
  const location = useLocation();
  const me = useQuery(trpc.auth.me.queryOptions());

  if (me.isPending) {
    return (
      <div className="flex min-h-dvh flex-col items-center justify-center gap-4 text-fg-muted">
        <LogoMark large />
        <Spinner label="Loading your workspace" />
      </div>
    );
  }
  if (me.isError && me.data === undefined) {
    return (
      <div className="flex min-h-dvh items-center justify-center px-4">
        <ErrorState error={me.error} onRetry={() => void me.refetch()} title="Studio is not responding" />
      </div>
    );
  }
  if (!me.data) {
    return <Navigate to={authHref("/sign-in", { next: location.pathname + location.search })} replace />;
  }
  return (
    <CurrentUserContext.Provider value={me.data}>
      <AppShell />
    </CurrentUserContext.Provider>
  );
}
