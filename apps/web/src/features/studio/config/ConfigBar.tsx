import { KeyRound } from "lucide-react";
import { Link } from "react-router";
import { Alert } from "../../../components/ui/Alert.tsx";
import { Field } from "../../../components/ui/Field.tsx";
import { Input, Select } from "../../../components/ui/Input.tsx";
import { cn } from "../../../lib/cn.ts";
import {
  type Catalog,
  choiceProblem,
  type Environment,
  modelsByTier,
  offeredProviders,
  type ProviderId,
  type SessionChoice,
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
    <fieldset className="flex flex-col gap-1.5" disabled={disabled}>
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

/** Provider, model (grouped by tier) and environment for a new session, with why a choice can't run. */
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
  const providers = offeredProviders(catalog);
  const provider = catalog.providers.find((candidate) => candidate.id === choice.provider);
  const problem = choiceProblem(catalog, choice);
  return (
    <div className="space-y-3">
      <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,1.3fr)_minmax(0,1.2fr)]">
        <Field label="Provider">
          <Select
            value={choice.provider}
            disabled={disabled}
            onChange={(event) => onChange(withProvider(catalog, choice, event.target.value as ProviderId))}
          >
            {providers.map((option) => (
              <option key={option.id} value={option.id}>
                {option.name}
                {option.available ? "" : " (not set up)"}
              </option>
            ))}
          </Select>
        </Field>
        {provider?.freeformModels ? (
          <Field label="Model">
            <Input
              value={choice.model}
              disabled={disabled}
              placeholder="Model id, e.g. llama3.1"
              onChange={(event) => onChange({ ...choice, model: event.target.value })}
              autoComplete="off"
              spellCheck={false}
            />
          </Field>
        ) : (
          <Field label="Model">
            <Select
              value={choice.model}
              disabled={disabled}
              onChange={(event) => onChange({ ...choice, model: event.target.value })}
            >
              {provider
                ? modelsByTier(provider).map((group) => (
                    <optgroup key={group.tier} label={group.label}>
                      {group.models.map((model) => (
                        <option key={model.id} value={model.id}>
                          {model.name}
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
      {problem && provider && !provider.available ? (
        <Alert tone="warning" title={`${provider.name} can't be used yet`}>
          <p>{problem}</p>
          <Link
            to="/settings/organization"
            className="mt-1 inline-flex items-center gap-1.5 font-medium underline underline-offset-2"
          >
            <KeyRound className="size-3.5" aria-hidden="true" />
            Set up access
          </Link>
        </Alert>
      ) : null}
    </div>
  );
}
