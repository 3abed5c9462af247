import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { Alert } from "../../components/ui/Alert.tsx";
import { Card, CardHeader } from "../../components/ui/Card.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { SkeletonRows } from "../../components/ui/Skeleton.tsx";
import { isManager } from "../../lib/roles.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { useCurrentUser } from "../auth/current-user.ts";
import { ProviderKeyRow } from "./ProviderKeyRow.tsx";
import { KEY_PROVIDERS, type KeyProviderInfo } from "./providers.ts";
import { RemoveKeyDialog } from "./RemoveKeyDialog.tsx";
import { SetKeyDialog } from "./SetKeyDialog.tsx";

const order = [
  { title: "Your own key", body: "The organisation's key for the model's provider, when it has one." },
  {
    title: "Your OpenRouter key",
    body: "Otherwise the organisation's OpenRouter key, for models it carries.",
  },
  {
    title: "Platform credits",
    body: "Otherwise the platform's key, paid from the organisation's credit balance.",
  },
];

/** Which key pays for a session, in order. Decided when the session starts and shown in its header. */
function ResolutionOrder() {
  return (
    <section aria-labelledby="resolution-heading" className="border-b border-line px-4 py-4 sm:px-5">
      <h3 id="resolution-heading" className="text-[13px] font-medium text-fg">
        Which key pays for a session
      </h3>
      <ol className="mt-2 grid gap-2 sm:grid-cols-3">
        {order.map((step, index) => (
          <li key={step.title} className="flex gap-2.5 rounded-lg border border-line bg-surface-muted/60 p-3">
            <span
              aria-hidden="true"
              className="flex size-5 shrink-0 items-center justify-center rounded-full bg-accent-soft text-xs font-semibold text-accent-soft-fg"
            >
              {index + 1}
            </span>
            <span className="min-w-0 text-[13px]">
              <span className="block font-medium text-fg">{step.title}</span>
              <span className="text-fg-muted">{step.body}</span>
            </span>
          </li>
        ))}
      </ol>
      <p className="mt-2 text-xs text-fg-muted">
        Balance and prices are under{" "}
        <Link to="/settings/billing" className="font-medium text-accent-soft-fg hover:underline">
          Credits &amp; prices
        </Link>
        .
      </p>
    </section>
  );
}

function ManagedKeys() {
  const trpc = useTRPC();
  const keys = useQuery(trpc.keys.list.queryOptions());
  const [editing, setEditing] = useState<KeyProviderInfo | null>(null);
  const [removing, setRemoving] = useState<KeyProviderInfo | null>(null);
  const stored = (provider: KeyProviderInfo | null) =>
    provider ? keys.data?.find((key) => key.provider === provider.id) : undefined;

  if (keys.isPending) return <SkeletonRows label="Loading provider keys" rows={4} />;
  if (keys.isError)
    return (
      <ErrorState
        error={keys.error}
        onRetry={() => void keys.refetch()}
        title="Couldn't load provider keys"
      />
    );
  return (
    <>
      <ul aria-label="Providers" className="divide-y divide-line">
        {KEY_PROVIDERS.map((provider) => (
          <ProviderKeyRow
            key={provider.id}
            provider={provider}
            stored={stored(provider)}
            manage
            onEdit={() => setEditing(provider)}
            onRemove={() => setRemoving(provider)}
          />
        ))}
      </ul>
      <SetKeyDialog provider={editing} existing={stored(editing)} onClose={() => setEditing(null)} />
      <RemoveKeyDialog provider={removing} stored={stored(removing)} onClose={() => setRemoving(null)} />
    </>
  );
}

export function KeysPage() {
  const { activeOrganization } = useCurrentUser();
  const manager = activeOrganization ? isManager(activeOrganization.role) : false;
  return (
    <Card aria-labelledby="keys-heading">
      <CardHeader
        id="keys-heading"
        title="Provider keys"
        description={`The model provider keys of ${activeOrganization?.name ?? "this organisation"}. They are encrypted at rest and never shown again after saving.`}
      />
      <ResolutionOrder />
      {manager ? (
        <ManagedKeys />
      ) : (
        <div className="px-4 py-5 sm:px-5">
          <Alert tone="info" title="Read-only">
            Only owners and admins add, test or remove provider keys. Ask one of them if a model you need
            can't be used.
          </Alert>
        </div>
      )}
    </Card>
  );
}
