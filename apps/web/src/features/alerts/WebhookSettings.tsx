import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Pencil, Plus, Send, Trash2, Webhook } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Card, CardBody, CardHeader } from "../../components/ui/Card.tsx";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog.tsx";
import { CopyField } from "../../components/ui/CopyField.tsx";
import { Dialog } from "../../components/ui/Dialog.tsx";
import { EmptyState } from "../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { Field } from "../../components/ui/Field.tsx";
import { Input } from "../../components/ui/Input.tsx";
import { SkeletonRows } from "../../components/ui/Skeleton.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError, firstError } from "../../lib/errors.ts";
import { isManager } from "../../lib/roles.ts";
import { type RouterOutputs, useTRPC } from "../../lib/trpc.ts";
import { useCurrentUser } from "../auth/current-user.ts";
import { DeliveryLog, When } from "./DeliveryLog.tsx";

type AlertWebhook = NonNullable<RouterOutputs["alerts"]["webhook"]>;

/** Sets or replaces the URL; the new signing secret is shown here once, and closing forgets it. */
function SetWebhookDialog({
  open,
  existing,
  onClose,
}: {
  open: boolean;
  existing: AlertWebhook | null;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const save = useMutation(
    trpc.alerts.setWebhook.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.alerts.webhook.queryKey() }),
    }),
  );
  const saved = save.data;

  function close() {
    save.reset();
    onClose();
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (save.isPending) return;
    save.mutate({ url: String(new FormData(event.currentTarget).get("url") ?? "").trim() });
  }

  const { message, fieldErrors } = describeError(save.error, ["url"]);

  return (
    <Dialog
      open={open}
      onClose={close}
      dismissible={!save.isPending}
      title={saved ? "Copy the signing secret" : existing ? "Replace the webhook" : "Set the alert webhook"}
      description={
        saved
          ? "Messages to this webhook carry an X-Studio-Signature header made with this secret, so your receiver can check they come from Studio."
          : "Studio posts Slack-compatible JSON to this URL when a budget threshold is crossed. A Slack incoming webhook URL works as it is."
      }
      footer={
        saved ? (
          <Button onClick={close}>Done</Button>
        ) : (
          <>
            <Button variant="secondary" onClick={close} disabled={save.isPending}>
              Cancel
            </Button>
            <Button type="submit" form={formId} pending={save.isPending}>
              {existing ? "Replace webhook" : "Save webhook"}
            </Button>
          </>
        )
      }
    >
      {saved ? (
        <div className="space-y-4">
          <Alert tone="warning" title="This is the only time you'll see it">
            Studio stores it encrypted and never shows it again. Copy it into your receiver's configuration
            now; setting the webhook again makes a new one.
          </Alert>
          <CopyField label="Signing secret" copyLabel="Copy signing secret" value={saved.secret} />
        </div>
      ) : (
        <form id={formId} noValidate onSubmit={onSubmit} className="space-y-4">
          {message ? <Alert>{message}</Alert> : null}
          {existing ? (
            <Alert tone="info">
              Replacing the webhook also makes a new signing secret; the current one stops working.
            </Alert>
          ) : null}
          <Field
            label="Webhook URL"
            hint="https, e.g. https://hooks.slack.com/services/…. http only for a receiver on this machine or its private network, where the studio allows it."
            error={firstError(fieldErrors, "url")}
          >
            <Input
              name="url"
              type="url"
              required
              autoComplete="off"
              autoCapitalize="off"
              spellCheck={false}
              placeholder="https://hooks.slack.com/services/…"
              defaultValue={existing?.url ?? ""}
              maxLength={2000}
              monospace
              data-autofocus
            />
          </Field>
        </form>
      )}
    </Dialog>
  );
}

function RemoveWebhookDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const remove = useMutation(
    trpc.alerts.removeWebhook.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.alerts.webhook.queryKey() });
        toast.show("Alert webhook removed.");
        close();
      },
    }),
  );

  function close() {
    remove.reset();
    onClose();
  }

  return (
    <ConfirmDialog
      open={open}
      onClose={close}
      onConfirm={() => remove.mutate()}
      pending={remove.isPending}
      error={remove.error}
      title="Remove the alert webhook?"
      description="Budget alerts are then only shown in Studio. Messages not yet delivered end as failed."
      note="The delivery log stays. Setting a webhook again makes a new signing secret."
      confirmLabel="Remove webhook"
    />
  );
}

/** The organisation's alert webhook and its delivery log, for owners and admins (Settings → Budgets & limits). */
export function WebhookSettings() {
  const { activeOrganization } = useCurrentUser();
  const manager = activeOrganization ? isManager(activeOrganization.role) : false;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const webhook = useQuery(trpc.alerts.webhook.queryOptions(undefined, { enabled: manager }));
  const [open, setOpen] = useState<"set" | "remove" | null>(null);
  const sendTest = useMutation(
    trpc.alerts.testWebhook.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.alerts.deliveries.infiniteQueryKey() });
        toast.show("Test message queued. Its delivery shows in the log below.");
      },
      onError: (error) =>
        toast.show(describeError(error).message ?? "Couldn't send the test message.", "danger"),
    }),
  );
  const current = webhook.data ?? null;
  const close = () => setOpen(null);

  return (
    <Card aria-labelledby="alert-webhook-heading">
      <CardHeader
        id="alert-webhook-heading"
        title="Alert webhook"
        description="Where budget alerts are sent: Slack-compatible JSON, signed, retried with backoff for about 7 hours."
        actions={
          manager && current ? (
            <>
              <Button
                variant="secondary"
                size="sm"
                icon={<Send />}
                pending={sendTest.isPending}
                onClick={() => sendTest.mutate()}
              >
                Send test
              </Button>
              <Button variant="secondary" size="sm" icon={<Pencil />} onClick={() => setOpen("set")}>
                Replace
              </Button>
              <Button variant="ghost" size="sm" icon={<Trash2 />} onClick={() => setOpen("remove")}>
                Remove
              </Button>
            </>
          ) : null
        }
      />
      {!manager ? (
        <CardBody>
          <Alert tone="info" title="Owners and admins only">
            Only owners and admins see and change where alerts are sent.
          </Alert>
        </CardBody>
      ) : webhook.isPending ? (
        <SkeletonRows label="Loading the webhook" rows={1} />
      ) : webhook.isError ? (
        <ErrorState
          error={webhook.error}
          onRetry={() => void webhook.refetch()}
          title="Couldn't load the webhook"
        />
      ) : current ? (
        <CardBody className="space-y-1.5">
          <p className="font-mono text-[13px] break-all text-fg" data-testid="webhook-url">
            {current.url}
          </p>
          <p className="text-xs text-fg-muted">
            Set <When date={current.createdAt} />. Each message carries <code>X-Studio-Signature</code>,{" "}
            <code>X-Studio-Delivery</code> and <code>X-Studio-Event</code> headers.
          </p>
        </CardBody>
      ) : (
        <EmptyState
          icon={Webhook}
          spacing="compact"
          title="No webhook yet"
          description="Alerts show in Studio only. Add a Slack incoming webhook, or any URL that accepts JSON, to be told when a budget threshold is crossed."
          action={
            <Button icon={<Plus />} onClick={() => setOpen("set")}>
              Set webhook
            </Button>
          }
        />
      )}
      {manager ? <DeliveryLog /> : null}
      <SetWebhookDialog open={open === "set"} existing={current} onClose={close} />
      <RemoveWebhookDialog open={open === "remove"} onClose={close} />
    </Card>
  );
}
