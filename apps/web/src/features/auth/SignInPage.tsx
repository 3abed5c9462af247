import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Field } from "../../components/ui/Field.tsx";
import { Input } from "../../components/ui/Input.tsx";
import { describeError, firstError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { AuthLayout } from "./AuthLayout.tsx";
import { authHref, goToNext, isServerPath, safeNext } from "./auth-links.ts";

/** A full page load of a path the server answers (a preview): already signed in, nothing to show. */
function ServerRedirect({ to }: { to: string }) {
  useEffect(() => window.location.assign(to), [to]);
  return null;
}

export function SignInPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const me = useQuery(trpc.auth.me.queryOptions());
  // The API's own message for an empty password is a generic length rule; this reads better.
  const [passwordMissing, setPasswordMissing] = useState(false);
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess: () => {
        // Nothing cached for a previous visitor may leak into this account's views.
        queryClient.clear();
        goToNext(next, navigate);
      },
    }),
  );

  if (me.data) return isServerPath(next) ? <ServerRedirect to={next} /> : <Navigate to={next} replace />;

  const { message, fieldErrors } = describeError(signIn.error, ["email", "password"]);
  const forInvitation = next.startsWith("/invite/");

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (signIn.isPending) return;
    const form = new FormData(event.currentTarget);
    const password = String(form.get("password") ?? "");
    setPasswordMissing(password === "");
    if (password === "") return signIn.reset();
    signIn.mutate({ email: String(form.get("email") ?? ""), password });
  }

  return (
    <AuthLayout
      title="Sign in to Studio"
      subtitle={
        forInvitation ? "Sign in to accept your invitation." : "Welcome back. Pick up where you left off."
      }
      footer={
        <>
          New to Studio?{" "}
          <Link
            to={authHref("/sign-up", { next: params.get("next"), email: params.get("email") })}
            className="font-medium text-accent-soft-fg hover:underline"
          >
            Create an account
          </Link>
        </>
      }
    >
      <form noValidate onSubmit={onSubmit} className="space-y-4" aria-label="Sign in">
        {message ? <Alert>{message}</Alert> : null}
        <Field label="Email" error={firstError(fieldErrors, "email")}>
          <Input
            name="email"
            type="email"
            autoComplete="username"
            required
            defaultValue={params.get("email") ?? ""}
          />
        </Field>
        <Field
          label="Password"
          error={passwordMissing ? "Enter your password." : firstError(fieldErrors, "password")}
        >
          <Input name="password" type="password" autoComplete="current-password" required />
        </Field>
        <Button type="submit" pending={signIn.isPending} className="w-full">
          {signIn.isPending ? "Signing in…" : "Sign in"}
        </Button>
      </form>
    </AuthLayout>
  );
}
