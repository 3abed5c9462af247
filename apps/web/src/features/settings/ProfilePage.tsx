import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Card, CardBody, CardFooter, CardHeader } from "../../components/ui/Card.tsx";
import { Field } from "../../components/ui/Field.tsx";
import { Input } from "../../components/ui/Input.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError, firstError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { useCurrentUser } from "../auth/current-user.ts";
import { ChangePasswordForm } from "./ChangePasswordForm.tsx";
import { DeleteAccountCard } from "./DeleteAccountCard.tsx";

export function ProfilePage() {
  const { user } = useCurrentUser();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const update = useMutation(
    trpc.auth.updateProfile.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
        await queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
        toast.show("Profile saved.");
      },
    }),
  );
  const { message, fieldErrors } = describeError(update.error, ["name"]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (update.isPending) return;
    update.mutate({ name: String(new FormData(event.currentTarget).get("name") ?? "") });
  }

  return (
    <div className="space-y-6">
      <Card aria-labelledby="profile-heading">
        <form noValidate onSubmit={onSubmit}>
          <CardHeader
            id="profile-heading"
            title="Profile"
            description="How you appear to the people you work with."
          />
          <CardBody className="grid gap-4 sm:grid-cols-2">
            {message ? <Alert className="sm:col-span-2">{message}</Alert> : null}
            <Field label="Name" error={firstError(fieldErrors, "name")}>
              <Input name="name" autoComplete="name" defaultValue={user.name} key={user.name} required />
            </Field>
            <Field label="Email" hint="Your sign-in address. It can't be changed here.">
              <Input value={user.email} readOnly />
            </Field>
          </CardBody>
          <CardFooter>
            <Button type="submit" pending={update.isPending}>
              Save profile
            </Button>
          </CardFooter>
        </form>
      </Card>
      <ChangePasswordForm />
      <DeleteAccountCard />
    </div>
  );
}
