import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Field } from "../../components/ui/Field.tsx";
import { Input } from "../../components/ui/Input.tsx";
import { describeError, firstError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { AuthLayout } from "./AuthLayout.tsx";
import { authHref, goToNext, invitationTokenIn, safeNext } from "./auth-links.ts";

export function SignUpPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const me = useQuery(trpc.auth.me.queryOptions());
  // Told before the form is filled in, not after: a studio that takes accounts by invitation only.
  const policy = useQuery(trpc.auth.signUpPolicy.queryOptions());
  const invitationOnly = policy.data?.signUps === "invitation";
  const signUp = useMutation(
    trpc.auth.signUp.mutationOptions({
      onSuccess: () => {
        queryClient.clear();
        goToNext(next, navigate);
      },
    }),
  );

  if (me.data) return <Navigate to={next} replace />;

  const { message, fieldErrors } = describeError(signUp.error, ["name", "email", "password"]);
  const invitationToken = invitationTokenIn(next);
  const forInvitation = invitationToken !== undefined;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (signUp.isPending) return;
    const form = new FormData(event.currentTarget);
    signUp.mutate({
      name: String(form.get("name") ?? ""),
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      invitationToken,
    });
  }

  return (
    <AuthLayout
      title="Create your account"
      subtitle={
        forInvitation
          ? "Create an account to accept your invitation."
          : "You get a personal workspace right away. Invite your team when you're ready."
      }
      footer={
        <>
          Already have an account?{" "}
          <Link
            to={authHref("/sign-in", { next: params.get("next"), email: params.get("email") })}
            className="font-medium text-accent-soft-fg hover:underline"
          >
            Sign in
          </Link>
        </>
      }
    >
      <form noValidate onSubmit={onSubmit} className="space-y-4" aria-label="Create account">
        {invitationOnly && !message ? (
          <Alert tone="info" title="Accounts here are by invitation">
            {forInvitation
              ? "Use the email address your invitation was sent to."
              : "Ask someone in your organisation to invite you, then open the link in the invitation."}
          </Alert>
        ) : null}
        {message ? <Alert>{message}</Alert> : null}
        <Field label="Name" error={firstError(fieldErrors, "name")}>
          <Input name="name" autoComplete="name" required />
        </Field>
        <Field label="Email" error={firstError(fieldErrors, "email")}>
          <Input
            name="email"
            type="email"
            autoComplete="email"
            required
            defaultValue={params.get("email") ?? ""}
          />
        </Field>
        <Field label="Password" hint="At least 10 characters." error={firstError(fieldErrors, "password")}>
          <Input name="password" type="password" autoComplete="new-password" required />
        </Field>
        <Button type="submit" pending={signUp.isPending} className="w-full">
          {signUp.isPending ? "Creating account…" : "Create account"}
        </Button>
      </form>
    </AuthLayout>
  );
}
