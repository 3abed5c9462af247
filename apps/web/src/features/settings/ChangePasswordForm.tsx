import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Card, CardBody, CardFooter, CardHeader } from "../../components/ui/Card.tsx";
import { Field } from "../../components/ui/Field.tsx";
import { Input } from "../../components/ui/Input.tsx";
import { describeError, firstError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { describeEndedAccess } from "../auth/ended-access.ts";
import { RevokeApiTokensOption } from "../auth/RevokeApiTokensOption.tsx";

export function ChangePasswordForm() {
  const trpc = useTRPC();
  const [mismatch, setMismatch] = useState(false);
  const [currentMissing, setCurrentMissing] = useState(false);
  const [revokeApiTokens, setRevokeApiTokens] = useState(false);
  const change = useMutation(trpc.auth.changePassword.mutationOptions());
  const { message, fieldErrors } = describeError(change.error, ["currentPassword", "newPassword"]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (change.isPending) return;
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const newPassword = String(form.get("newPassword") ?? "");
    // Only the browser can catch a typo in the new password; the server never sees the confirmation.
    const confirmMismatch = newPassword !== String(form.get("confirmPassword") ?? "");
    const currentPassword = String(form.get("currentPassword") ?? "");
    setMismatch(confirmMismatch);
    setCurrentMissing(currentPassword === "");
    if (confirmMismatch || currentPassword === "") return change.reset();
    change.mutate(
      { currentPassword, newPassword, revokeApiTokens },
      {
        onSuccess: () => {
          formElement.reset();
          setRevokeApiTokens(false);
        },
      },
    );
  }

  return (
    <Card aria-labelledby="password-heading">
      <form noValidate onSubmit={onSubmit}>
        <CardHeader
          id="password-heading"
          title="Password"
          description="Changing it signs you out everywhere else. This browser stays signed in."
        />
        <CardBody className="grid gap-4 sm:grid-cols-2">
          {message ? <Alert className="sm:col-span-2">{message}</Alert> : null}
          {change.data ? (
            <Alert tone="success" className="sm:col-span-2">
              Password changed.{" "}
              {describeEndedAccess(change.data, {
                revokeAsked: change.variables?.revokeApiTokens === true,
                others: true,
              })}
            </Alert>
          ) : null}
          <Field
            label="Current password"
            error={
              currentMissing ? "Enter your current password." : firstError(fieldErrors, "currentPassword")
            }
            className="sm:col-span-2"
          >
            <div className="sm:max-w-[calc(50%-0.5rem)]">
              <Input name="currentPassword" type="password" autoComplete="current-password" required />
            </div>
          </Field>
          <Field
            label="New password"
            hint="At least 10 characters."
            error={firstError(fieldErrors, "newPassword")}
          >
            <Input name="newPassword" type="password" autoComplete="new-password" required />
          </Field>
          <Field label="Confirm new password" error={mismatch ? "The passwords don't match." : undefined}>
            <Input name="confirmPassword" type="password" autoComplete="new-password" required />
          </Field>
          <div className="sm:col-span-2">
            <RevokeApiTokensOption
              checked={revokeApiTokens}
              onChange={setRevokeApiTokens}
              disabled={change.isPending}
            />
          </div>
        </CardBody>
        <CardFooter>
          <Button type="submit" pending={change.isPending}>
            Change password
          </Button>
        </CardFooter>
      </form>
    </Card>
  );
}
