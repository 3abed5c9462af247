import { useMutation, useQueryClient } from "@tanstack/react-query";
import { UserPlus } from "lucide-react";
import { type FormEvent, useRef } from "react";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { CopyField } from "../../components/ui/CopyField.tsx";
import { Field } from "../../components/ui/Field.tsx";
import { Input, Select } from "../../components/ui/Input.tsx";
import { describeError, firstError } from "../../lib/errors.ts";
import { type Role, roleLabel } from "../../lib/format.ts";
import { assignableRoles } from "../../lib/roles.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { useCurrentUser } from "../auth/current-user.ts";

export function InviteForm() {
  const { activeOrganization } = useCurrentUser();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const create = useMutation(
    trpc.invitations.create.mutationOptions({
      onSuccess: async () => {
        formRef.current?.reset();
        await queryClient.invalidateQueries({ queryKey: trpc.invitations.list.queryKey() });
      },
    }),
  );
  const roles = assignableRoles(activeOrganization?.role ?? "member");
  const { message, fieldErrors } = describeError(create.error, ["email", "role"]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (create.isPending) return;
    const form = new FormData(event.currentTarget);
    create.mutate({
      email: String(form.get("email") ?? ""),
      role: String(form.get("role") ?? "member") as Role,
    });
  }

  return (
    <div className="space-y-4">
      <form ref={formRef} noValidate onSubmit={onSubmit} aria-label="Invite a member" className="space-y-3">
        {message ? <Alert>{message}</Alert> : null}
        <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_9rem_auto] sm:items-start">
          <Field label="Email address" error={firstError(fieldErrors, "email")}>
            <Input name="email" type="email" autoComplete="off" placeholder="teammate@example.com" required />
          </Field>
          <Field label="Role" error={firstError(fieldErrors, "role")}>
            <Select name="role" defaultValue="member">
              {roles.map((role) => (
                <option key={role} value={role}>
                  {roleLabel(role)}
                </option>
              ))}
            </Select>
          </Field>
          <Button type="submit" pending={create.isPending} icon={<UserPlus />} className="sm:mt-6.5">
            Invite
          </Button>
        </div>
      </form>
      {create.data ? (
        <div className="space-y-3 rounded-lg border border-line bg-surface-muted/60 p-4">
          <Alert tone="success" title={`Invitation created for ${create.data.invitation.email}`}>
            Studio doesn't send email. Share this link with them; it works once and expires in 7 days.
          </Alert>
          <CopyField label="Invitation link" copyLabel="Copy invitation link" value={create.data.link} />
        </div>
      ) : null}
    </div>
  );
}
