import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Lock } from "lucide-react";
import { type FormEvent, type ReactNode, useId } from "react";
import { Alert } from "../../components/ui/Alert.tsx";
import { Badge } from "../../components/ui/Badge.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Card, CardBody, CardFooter, CardHeader } from "../../components/ui/Card.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { Field } from "../../components/ui/Field.tsx";
import { Input } from "../../components/ui/Input.tsx";
import { Skeleton } from "../../components/ui/Skeleton.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError, firstError } from "../../lib/errors.ts";
import { formatDate } from "../../lib/format.ts";
import { isManager } from "../../lib/roles.ts";
import { type RouterOutputs, useTRPC } from "../../lib/trpc.ts";
import { useCurrentUser } from "../auth/current-user.ts";
import { DeleteOrganizationCard } from "./DeleteOrganizationCard.tsx";
import { ToolPermissionsField } from "./ToolPermissionsField.tsx";

type OrganizationSettings = RouterOutputs["organizations"]["current"];

export function OrganizationSettingsPage() {
  const trpc = useTRPC();
  const current = useQuery(trpc.organizations.current.queryOptions());

  return (
    <div className="space-y-6">
      <Card aria-labelledby="organization-heading">
        {current.isPending ? (
          <>
            <CardHeader id="organization-heading" title="Organisation" description="Loading settings…" />
            <CardBody className="space-y-4" role="status" aria-label="Loading organisation settings">
              <Skeleton className="h-9 w-full max-w-sm" />
              <Skeleton className="h-9 w-40" />
              <Skeleton className="h-20 w-full" />
            </CardBody>
          </>
        ) : current.isError ? (
          <>
            <CardHeader id="organization-heading" title="Organisation" />
            <ErrorState
              error={current.error}
              onRetry={() => void current.refetch()}
              title="Couldn't load organisation settings"
            />
          </>
        ) : (
          <OrganizationSettingsForm key={current.data.id} settings={current.data} />
        )}
      </Card>
      {current.data ? <DeleteOrganizationCard key={current.data.id} organization={current.data} /> : null}
    </div>
  );
}

function OrganizationSettingsForm({ settings }: { settings: OrganizationSettings }) {
  const { activeOrganization } = useCurrentUser();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const editable = activeOrganization ? isManager(activeOrganization.role) : false;
  const update = useMutation(
    trpc.organizations.update.mutationOptions({
      onSuccess: async () => {
        // The name shows in the switcher too, so refresh everything that mentions this organisation.
        await queryClient.invalidateQueries();
        toast.show("Organisation settings saved.");
      },
    }),
  );
  const fields = ["name", "idleTimeoutMinutes", "toolPermissions", "pushBranchPrefix"];
  const { message, fieldErrors } = describeError(update.error, fields);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (update.isPending || !editable) return;
    const form = new FormData(event.currentTarget);
    const minutes = String(form.get("idleTimeoutMinutes") ?? "").trim();
    update.mutate({
      name: String(form.get("name") ?? ""),
      idleTimeoutMinutes: minutes === "" ? Number.NaN : Number(minutes),
      toolPermissions: form.get("toolPermissions") === "allow" ? "allow" : "ask",
      pushBranchPrefix: String(form.get("pushBranchPrefix") ?? "").trim(),
      terminalWatching: form.get("terminalWatching") === "on",
      previewSharing: form.get("previewSharing") === "on",
    });
  }

  return (
    <form noValidate onSubmit={onSubmit}>
      <CardHeader
        id="organization-heading"
        title="Organisation"
        description={`Created ${formatDate(settings.createdAt)} · ${settings.slug}`}
        actions={settings.personal ? <Badge>Personal</Badge> : null}
      />
      <fieldset disabled={!editable} className="contents">
        <legend className="sr-only">Organisation settings</legend>
        <CardBody className="space-y-5">
          {editable ? null : (
            <Alert tone="info" title="Read-only">
              Only owners and admins can change these settings.
            </Alert>
          )}
          {message ? <Alert>{message}</Alert> : null}
          <Field label="Organisation name" error={firstError(fieldErrors, "name")} className="max-w-md">
            <Input name="name" defaultValue={settings.name} required autoComplete="organization" />
          </Field>
          <Field
            label="Idle timeout"
            hint="Between 1 and 1440. Sessions idle this long are paused to free their sandbox."
            error={firstError(fieldErrors, "idleTimeoutMinutes")}
            className="max-w-md"
          >
            <div className="flex items-center gap-2">
              <div className="w-32">
                <Input
                  name="idleTimeoutMinutes"
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={1440}
                  defaultValue={settings.idleTimeoutMinutes}
                />
              </div>
              <span className="text-[13px] text-fg-muted">minutes</span>
            </div>
          </Field>
          <ToolPermissionsField
            defaultValue={settings.toolPermissions}
            error={firstError(fieldErrors, "toolPermissions")}
          />
          <Field
            label="Branch prefix for pushes"
            hint="Sessions started from a repository work on, and may push only to, branches under this prefix (e.g. studio/k3v9x2ab). It ends with /."
            error={firstError(fieldErrors, "pushBranchPrefix")}
            className="max-w-md"
          >
            <div className="w-56">
              <Input
                name="pushBranchPrefix"
                defaultValue={settings.pushBranchPrefix}
                monospace
                spellCheck={false}
                autoComplete="off"
                placeholder="studio/"
              />
            </div>
          </Field>
          <CheckboxSetting
            name="terminalWatching"
            label="Members may watch terminals"
            defaultChecked={settings.terminalWatching}
          >
            A session's terminals are for its creator and the organisation's owners and admins. On: other
            members can watch them, read-only. What is typed is never recorded.
          </CheckboxSetting>
          <CheckboxSetting
            name="previewSharing"
            label="Previews may be shared by link"
            defaultChecked={settings.previewSharing}
          >
            On: a session's creator, owners and admins can make a link that opens one of its previews for
            anyone holding it, until the link expires (at most a week) or this is turned off. Needs previews
            on their own domain.
          </CheckboxSetting>
        </CardBody>
      </fieldset>
      <CardFooter>
        {editable ? (
          <Button type="submit" pending={update.isPending}>
            Save changes
          </Button>
        ) : (
          <p className="flex items-center gap-1.5 text-[13px] text-fg-muted">
            <Lock className="size-3.5" aria-hidden="true" />
            Ask an owner or admin to change these.
          </p>
        )}
      </CardFooter>
    </form>
  );
}

function CheckboxSetting({
  name,
  label,
  defaultChecked,
  children,
}: {
  name: string;
  label: string;
  defaultChecked: boolean;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <div className="flex items-start gap-2.5">
      <input
        id={id}
        name={name}
        type="checkbox"
        defaultChecked={defaultChecked}
        aria-describedby={`${id}-hint`}
        className="mt-0.5 size-4 cursor-pointer accent-(--accent)"
      />
      <div>
        <label htmlFor={id} className="cursor-pointer text-[13px] font-medium text-fg">
          {label}
        </label>
        <p id={`${id}-hint`} className="text-xs text-fg-muted">
          {children}
        </p>
      </div>
    </div>
  );
}
