import { useMutationState, useQueryClient } from "@tanstack/react-query";
import { Coins, KeyRound } from "lucide-react";
import { useEffect, useId } from "react";
import { Link } from "react-router";
import { Alert } from "../../../components/ui/Alert.tsx";
import { Badge } from "../../../components/ui/Badge.tsx";
import { Field } from "../../../components/ui/Field.tsx";
import { Select } from "../../../components/ui/Input.tsx";
import { cn } from "../../../lib/cn.ts";
import { errorCode } from "../../../lib/errors.ts";
import { useTRPC } from "../../../lib/trpc.ts";
import { useCurrentUser } from "../../auth/current-user.ts";
import { keySourceDescription, keySourceLabel, paysWithCredits } from "../session-status.ts";
import { EndpointModelField, EndpointModelsNotice } from "./EndpointModelField.tsx";
import {
  type AgentId,
  agentFit,
  agentShortcomings,
  type Catalog,
  type CatalogProvider,
  choiceAccess,
  choiceProblem,
  type Environment,
  fixLink,
  modelName,
  modelOptionLabel,
  modelsByTier,
  type ProviderId,
  providerOptions,
  type SessionChoice,
  withAgent,
  withProvider,
} from "./model-choice.ts";

const environments: { value: Environment; label: string }[] = [
  { value: "development", label: "Development" },
  { value: "production", label: "Production" },
];

function EnvironmentPicker({
  value,
  onChange,
  disabled,
}: {
  value: Environment;
  onChange: (value: Environment) => void;
  disabled?: boolean | undefined;
}) {
  return (
    <fieldset className="flex min-w-0 flex-col gap-1.5" disabled={disabled}>
      <legend className="mb-1.5 text-[13px] font-medium text-fg">Environment</legend>
      <div className="flex h-9 rounded-lg border border-line bg-surface-muted p-0.5">
        {environments.map((option) => (
          <label
            key={option.value}
            className={cn(
              "flex flex-1 cursor-pointer items-center justify-center rounded-md px-2.5 text-[13px] font-medium transition-colors has-focus-visible:ring-2 has-focus-visible:ring-ring",
              value === option.value ? "bg-surface text-fg shadow-soft" : "text-fg-muted hover:text-fg",
            )}
          >
            <input
              type="radio"
              name="environment"
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
              className="sr-only"
            />
            {option.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/**
 * Whether the chosen model can run now: which key would pay, or why not with a link to fix it. The
 * Start button stays disabled while there is a problem (choiceProblem), so this is where its reason is.
 */
function AccessNote({
  catalog,
  provider,
  choice,
}: {
  catalog: Catalog;
  provider: CatalogProvider | undefined;
  choice: SessionChoice;
}) {
  const { platformAdmin } = useCurrentUser().user;
  const access = choiceAccess(catalog, choice);
  const problem = choiceProblem(catalog, choice);
  if (!provider) return null;
  const subject = provider.freeformModels ? provider.name : modelName(catalog, provider.id, choice.model);
  if (access?.available && !problem) {
    // A catalogue route to the custom provider always goes to the custom endpoint itself.
    const upstream = provider.id;
    return (
      <p className="flex flex-wrap items-center gap-2 text-xs text-fg-muted" data-testid="key-source">
        <Badge tone={access.keySource === "platform" ? "neutral" : "success"}>
          {paysWithCredits(access.keySource, upstream) ? (
            <Coins className="size-3" aria-hidden="true" />
          ) : (
            <KeyRound className="size-3" aria-hidden="true" />
          )}
          {keySourceLabel(access.keySource, upstream)}
        </Badge>
        {keySourceDescription(access.keySource, upstream, provider.name)}
      </p>
    );
  }
  if (access && !access.available) {
    const fix = fixLink(access.fix, platformAdmin);
    return (
      <Alert tone="warning" title={`${subject} can't be used now`}>
        <p>{access.reason}</p>
        <Link
          to={fix.to}
          className="mt-1 inline-flex items-center gap-1.5 font-medium underline underline-offset-2"
        >
          {access.fix === "credits" ? (
            <Coins className="size-3.5" aria-hidden="true" />
          ) : (
            <KeyRound className="size-3.5" aria-hidden="true" />
          )}
          {fix.label}
        </Link>
      </Alert>
    );
  }
  return problem ? <p className="text-xs text-fg-muted">{problem}</p> : null;
}

/**
 * What the chosen agent cannot use or do, in words: the providers it cannot use and why (from the
 * model APIs it speaks), a caveat the studio cannot check ahead, and studio features it lacks.
 */
function AgentNote({ catalog, choice, id }: { catalog: Catalog; choice: SessionChoice; id: string }) {
  const agent = catalog.agents.find((candidate) => candidate.id === choice.agent);
  if (!agent) return null;
  const excluded = providerOptions(catalog, choice.agent).filter((option) => option.agentProblem !== null);
  const caveat = agentFit(catalog, choice.agent, choice.provider).caveat;
  const lacks = agentShortcomings(agent);
  return (
    <div id={id} className="space-y-1 text-xs text-fg-muted" data-testid="agent-note">
      <p>
        <span className="font-medium text-fg">{agent.name}</span>: {agent.description}
      </p>
      {/* The providers by name at a glance; each one's reason, long, when asked for. */}
      {excluded.length > 0 ? (
        <details className="group">
          <summary className="cursor-pointer hover:text-fg">
            Not for {agent.name}: {excluded.map((option) => option.provider.name).join(", ")}
            <span className="group-open:hidden"> (why?)</span>
          </summary>
          <ul aria-label={`Not for ${agent.name}`} className="mt-1 list-disc pl-4">
            {excluded.map((option) => (
              <li key={option.provider.id}>{option.agentProblem}</li>
            ))}
          </ul>
        </details>
      ) : null}
      {caveat ? <p>{caveat}</p> : null}
      {lacks.map((line) => (
        <p key={line}>{line}</p>
      ))}
    </div>
  );
}

/**
 * A session refused for lack of credits (HTTP 402) means the catalogue this page holds is out of
 * date: fetch it again so the model shows as unavailable with the way to fix it. The refusal's own
 * message is shown by the composer that made the request.
 */
function useRefreshOnPaymentRequired() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refusals = useMutationState({
    filters: { mutationKey: trpc.sessions.create.mutationKey(), status: "error" },
    select: (mutation) =>
      errorCode(mutation.state.error) === "PAYMENT_REQUIRED" ? mutation.state.submittedAt : 0,
  });
  const latest = Math.max(0, ...refusals);
  useEffect(() => {
    if (latest > 0) void queryClient.invalidateQueries({ queryKey: trpc.sessions.catalog.queryKey() });
  }, [latest, queryClient, trpc]);
}

/**
 * Agent, provider, model (grouped by tier) and environment for a new session, with why a choice
 * can't run. The agent comes first: it decides which providers can serve it.
 */
export function ConfigBar({
  catalog,
  choice,
  onChange,
  disabled,
}: {
  catalog: Catalog;
  choice: SessionChoice;
  onChange: (choice: SessionChoice) => void;
  disabled?: boolean;
}) {
  const providers = providerOptions(catalog, choice.agent);
  const provider = catalog.providers.find((candidate) => candidate.id === choice.provider);
  const agent = catalog.agents.find((candidate) => candidate.id === choice.agent);
  const noteId = useId();
  const agentNoteId = useId();
  useRefreshOnPaymentRequired();
  return (
    // Columns follow the form's own width, not the window's: beside the sessions list on a laptop
    // the form is narrower than the window suggests, and four columns would squeeze the agent's name.
    <div className="@container space-y-3">
      <div className="grid gap-3 @md:grid-cols-2 @4xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_minmax(0,1.3fr)_minmax(0,1.2fr)]">
        {/* Shown even with a single agent, so a person knows which agent will run. */}
        <Field label="Agent">
          <Select
            value={choice.agent}
            disabled={disabled}
            onChange={(event) => onChange(withAgent(catalog, choice, event.target.value as AgentId))}
            aria-describedby={agentNoteId}
          >
            {catalog.agents.map((option) => (
              <option key={option.id} value={option.id}>
                {option.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Provider">
          <Select
            value={choice.provider}
            disabled={disabled}
            onChange={(event) => onChange(withProvider(catalog, choice, event.target.value as ProviderId))}
          >
            {providers.map(({ provider: option, agentProblem }) => (
              <option key={option.id} value={option.id} disabled={agentProblem !== null}>
                {option.name}
                {agentProblem !== null
                  ? ` (not for ${agent?.name ?? "this agent"})`
                  : option.available
                    ? ""
                    : ` (${providerShortfall(option)})`}
              </option>
            ))}
          </Select>
        </Field>
        {provider?.freeformModels ? (
          <EndpointModelField
            provider={provider}
            model={choice.model}
            onModel={(model) => onChange({ ...choice, model })}
            disabled={disabled}
            describedBy={noteId}
          />
        ) : (
          <Field label="Model">
            <Select
              value={choice.model}
              disabled={disabled}
              onChange={(event) => onChange({ ...choice, model: event.target.value })}
              aria-describedby={noteId}
            >
              {provider
                ? modelsByTier(provider).map((group) => (
                    <optgroup key={group.tier} label={group.label}>
                      {group.models.map((model) => (
                        <option key={model.id} value={model.id}>
                          {modelOptionLabel(provider, model)}
                        </option>
                      ))}
                    </optgroup>
                  ))
                : null}
            </Select>
          </Field>
        )}
        <EnvironmentPicker
          value={choice.environment}
          disabled={disabled}
          onChange={(environment) => onChange({ ...choice, environment })}
        />
      </div>
      {/* Always there, so the model field's description never points at nothing. */}
      <div id={noteId} className="space-y-3">
        {provider?.freeformModels ? <EndpointModelsNotice provider={provider} /> : null}
        <AccessNote catalog={catalog} provider={provider} choice={choice} />
        <AgentNote catalog={catalog} choice={choice} id={agentNoteId} />
      </div>
    </div>
  );
}

/** Why a provider has no usable model, in two words: no credits left, or nothing set up. */
function providerShortfall(provider: {
  access: { available: boolean; fix?: string } | null;
  models: { access: { available: boolean; fix?: string } }[];
}): string {
  const problems = provider.access ? [provider.access] : provider.models.map((model) => model.access);
  return problems.length > 0 && problems.every((problem) => !problem.available && problem.fix === "credits")
    ? "no credits"
    : "not set up";
}
