import { useMutation } from "@tanstack/react-query";
import { CircleCheck, CircleX, FlaskConical, Pencil, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { Avatar } from "../../components/ui/Avatar.tsx";
import { Badge } from "../../components/ui/Badge.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Spinner } from "../../components/ui/Spinner.tsx";
import { describeError } from "../../lib/errors.ts";
import { formatDateTime, formatRelative } from "../../lib/format.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { type KeyProviderInfo, maskedKey, type ProviderKey } from "./providers.ts";

function When({ date }: { date: Date }) {
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)}>
      {formatRelative(date)}
    </time>
  );
}

/** The provider's own answer to the cheapest call with the stored key (it can take a few seconds). */
function TestResult({ test }: { test: ReturnType<typeof useKeyTest> }) {
  // The region exists before the answer arrives so screen readers announce it.
  return (
    <div aria-live="polite" className="min-h-0 text-[13px]">
      {test.isPending ? (
        <p className="flex items-center gap-2 text-fg-muted">
          <Spinner />
          Asking the provider…
        </p>
      ) : test.error ? (
        <p className="flex items-start gap-2 text-danger-soft-fg">
          <CircleX className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          {describeError(test.error).message}
        </p>
      ) : test.data ? (
        <p
          data-testid="key-test-result"
          className={
            test.data.ok
              ? "flex items-start gap-2 text-success-soft-fg"
              : "flex items-start gap-2 text-danger-soft-fg"
          }
        >
          {test.data.ok ? (
            <CircleCheck className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          ) : (
            <CircleX className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          )}
          <span className="min-w-0 break-words">
            <span className="font-medium">{test.data.ok ? "Key works. " : "Key refused. "}</span>
            {test.data.message}
          </span>
        </p>
      ) : null}
    </div>
  );
}

function useKeyTest() {
  const trpc = useTRPC();
  return useMutation(trpc.keys.test.mutationOptions());
}

export function ProviderKeyRow({
  provider,
  stored,
  manage,
  onEdit,
  onRemove,
}: {
  provider: KeyProviderInfo;
  stored: ProviderKey | undefined;
  /** Owners and admins; others see the row without actions (they never get here today). */
  manage: boolean;
  onEdit: () => void;
  onRemove: () => void;
}) {
  const test = useKeyTest();
  // An answer belongs to the key it was asked about: once the key is replaced (here or in another
  // tab) the old answer is hidden.
  const [testedVersion, setTestedVersion] = useState<number | null>(null);
  const version = stored?.updatedAt.getTime() ?? null;
  const custom = provider.id === "custom";
  const noun = custom ? "endpoint" : "key";
  const headingId = `key-${provider.id}-heading`;
  // Visible text stays short; the provider's name is read out too, so each button names its row.
  const named = (verb: string, rest = noun) => (
    <>
      {verb} <span className="sr-only">{provider.name} </span>
      {rest}
    </>
  );
  return (
    <li aria-labelledby={headingId} className="flex flex-col gap-3 px-4 py-4 sm:flex-row sm:px-5">
      <Avatar name={provider.name} square />
      <div className="min-w-0 flex-1 space-y-1.5">
        <div className="flex flex-wrap items-center gap-2">
          <h3 id={headingId} className="text-sm font-semibold text-fg">
            {provider.name}
          </h3>
          {stored ? <Badge tone="success">{custom ? "Set up" : "Key set"}</Badge> : <Badge>Not set</Badge>}
        </div>
        <p className="text-[13px] text-fg-muted">{provider.description}</p>
        {stored ? (
          <dl className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-fg-muted">
            {custom && stored.baseUrl ? (
              <div className="flex min-w-0 gap-1">
                <dt>Endpoint</dt>
                <dd className="min-w-0 font-mono break-all text-fg">{stored.baseUrl}</dd>
              </div>
            ) : null}
            <div className="flex gap-1">
              <dt>Key</dt>
              <dd className="font-mono text-fg" data-testid="masked-key">
                {maskedKey(stored)}
              </dd>
            </div>
            <div className="flex gap-1">
              <dt>Added</dt>
              <dd>
                <When date={stored.updatedAt} /> by{" "}
                <span title={stored.createdBy.email} className="text-fg">
                  {stored.createdBy.name}
                </span>
              </dd>
            </div>
            <div className="flex gap-1">
              <dt>Last used</dt>
              <dd>{stored.lastUsedAt ? <When date={stored.lastUsedAt} /> : "never"}</dd>
            </div>
          </dl>
        ) : null}
        {stored && testedVersion === version ? <TestResult test={test} /> : null}
      </div>
      {manage ? (
        <div className="flex shrink-0 flex-wrap items-start gap-2 sm:justify-end">
          {stored ? (
            <>
              <Button
                variant="secondary"
                size="sm"
                icon={<FlaskConical />}
                pending={test.isPending}
                onClick={() => {
                  setTestedVersion(version);
                  test.mutate({ provider: provider.id });
                }}
              >
                {named("Test")}
              </Button>
              <Button variant="secondary" size="sm" icon={<Pencil />} onClick={onEdit}>
                {named("Replace")}
              </Button>
              <Button variant="ghost" size="sm" icon={<Trash2 />} onClick={onRemove}>
                {named("Remove")}
              </Button>
            </>
          ) : (
            <Button variant="secondary" size="sm" icon={<Plus />} onClick={onEdit}>
              {custom ? named("Set up") : named("Add")}
            </Button>
          )}
        </div>
      ) : null}
    </li>
  );
}
