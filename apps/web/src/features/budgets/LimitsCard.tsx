import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useMemo, useState } from "react";
import { Alert } from "../../components/ui/Alert.tsx";
import { Button } from "../../components/ui/Button.tsx";
import { Card, CardBody, CardFooter, CardHeader } from "../../components/ui/Card.tsx";
import { ErrorState } from "../../components/ui/ErrorState.tsx";
import { Field } from "../../components/ui/Field.tsx";
import { Input, Select } from "../../components/ui/Input.tsx";
import { Skeleton } from "../../components/ui/Skeleton.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError, type FieldErrors, firstError } from "../../lib/errors.ts";
import { type RouterOutputs, useTRPC } from "../../lib/trpc.ts";
import { parseOptionalCount } from "./budget-math.ts";

type OrganizationSettings = RouterOutputs["organizations"]["current"];

/** As the API allows (MAX_CALLS_PER_MINUTE, MAX_LIVE_SESSIONS in the core's organisation schemas). */
const MAX_CALLS_PER_MINUTE = 100_000;
const MAX_LIVE_SESSIONS = 10_000;

const LIMIT_FIELDS = [
  {
    name: "callsPerMinute",
    label: "Model calls per minute, whole organisation",
    max: MAX_CALLS_PER_MINUTE,
    unit: "calls / min",
  },
  {
    name: "memberCallsPerMinute",
    label: "Model calls per minute, each member",
    max: MAX_CALLS_PER_MINUTE,
    unit: "calls / min",
  },
  {
    name: "maxLiveSessions",
    label: "Live sessions, whole organisation",
    max: MAX_LIVE_SESSIONS,
    unit: "sessions",
  },
  {
    name: "maxLiveSessionsPerMember",
    label: "Live sessions, each member",
    max: MAX_LIVE_SESSIONS,
    unit: "sessions",
  },
] as const;

type LimitName = (typeof LIMIT_FIELDS)[number]["name"];

/** Every IANA zone the browser knows, with the saved one and UTC always offered. */
function timeZones(saved: string): string[] {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set(["UTC", saved, ...known])].sort((a, b) =>
    a === "UTC" ? -1 : b === "UTC" ? 1 : a.localeCompare(b),
  );
}

/** The organisation's time zone (where budget periods start) and its rate and session limits. */
export function LimitsCard() {
  const trpc = useTRPC();
  const current = useQuery(trpc.organizations.current.queryOptions());
  return (
    <Card aria-labelledby="limits-heading">
      {current.isPending ? (
        <>
          <CardHeader id="limits-heading" title="Time zone & limits" />
          <CardBody className="space-y-4" role="status" aria-label="Loading limits">
            <Skeleton className="h-9 w-full max-w-sm" />
            <Skeleton className="h-9 w-full max-w-md" />
          </CardBody>
        </>
      ) : current.isError ? (
        <>
          <CardHeader id="limits-heading" title="Time zone & limits" />
          <ErrorState
            error={current.error}
            onRetry={() => void current.refetch()}
            title="Couldn't load limits"
          />
        </>
      ) : (
        <LimitsForm key={current.data.id} settings={current.data} />
      )}
    </Card>
  );
}

function LimitsForm({ settings }: { settings: OrganizationSettings }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const zones = useMemo(() => timeZones(settings.timeZone), [settings.timeZone]);
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  const update = useMutation(
    trpc.organizations.update.mutationOptions({
      onSuccess: async () => {
        // Periods move with the time zone: every budget figure is recomputed.
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.organizations.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.budgets.pathKey() }),
        ]);
        toast.show("Time zone and limits saved.");
      },
    }),
  );
  const server = describeError(update.error, ["timeZone", ...LIMIT_FIELDS.map((field) => field.name)]);
  const errors = { ...server.fieldErrors, ...localErrors };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (update.isPending) return;
    const form = new FormData(event.currentTarget);
    const found: FieldErrors = {};
    const values = {} as Record<LimitName, number | null>;
    for (const field of LIMIT_FIELDS) {
      const parsed = parseOptionalCount(String(form.get(field.name) ?? ""), field.max);
      if (parsed.ok) values[field.name] = parsed.value;
      else found[field.name] = [parsed.message];
    }
    setLocalErrors(found);
    if (Object.keys(found).length > 0) return;
    update.mutate({ timeZone: String(form.get("timeZone") ?? "UTC"), ...values });
  }

  return (
    <form noValidate onSubmit={onSubmit}>
      <CardHeader
        id="limits-heading"
        title="Time zone & limits"
        description="Budget periods start at midnight in the organisation's time zone. Leave a limit empty for the studio's default."
      />
      <CardBody className="space-y-5">
        {server.message ? <Alert>{server.message}</Alert> : null}
        <Field
          label="Time zone"
          hint="Days, weeks (from Monday) and months of every budget follow it."
          error={firstError(errors, "timeZone")}
          className="max-w-sm"
        >
          <Select name="timeZone" defaultValue={settings.timeZone}>
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone.replaceAll("_", " ")}
              </option>
            ))}
          </Select>
        </Field>
        <div className="grid gap-x-6 gap-y-5 sm:grid-cols-2">
          {LIMIT_FIELDS.map((field) => (
            <Field key={field.name} label={field.label} error={firstError(errors, field.name)}>
              <div className="flex items-center gap-2">
                <div className="w-32">
                  <Input
                    name={field.name}
                    type="number"
                    inputMode="numeric"
                    min={1}
                    max={field.max}
                    placeholder="Default"
                    defaultValue={settings[field.name] ?? ""}
                  />
                </div>
                <span className="text-[13px] text-fg-muted">{field.unit}</span>
              </div>
            </Field>
          ))}
        </div>
        <p className="text-[13px] text-fg-muted">
          Past a rate limit the gateway answers 429 with the seconds to wait; past a session limit a new
          session is refused with the current count.
        </p>
      </CardBody>
      <CardFooter>
        <Button type="submit" pending={update.isPending}>
          Save time zone & limits
        </Button>
      </CardFooter>
    </form>
  );
}
