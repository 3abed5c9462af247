import { useEffect, useRef, useState } from "react";
import { Alert } from "../../../components/ui/Alert.tsx";
import { Field } from "../../../components/ui/Field.tsx";
import { Input, Select } from "../../../components/ui/Input.tsx";
import { type CatalogProvider, endpointModelsState } from "./model-choice.ts";

/** The option that turns the list into a text field; no model id contains a NUL. */
const TYPE_ANOTHER = "\u0000type";

const linkButton =
  "cursor-pointer font-medium text-fg underline underline-offset-2 hover:text-accent disabled:cursor-not-allowed";

/**
 * The model of an OpenAI-compatible endpoint: picked from what the endpoint lists (the studio asks
 * it, never the browser), or typed, for a model it does not list, a server that lists nothing, or
 * one that could not be asked (`EndpointModelsNotice` says why).
 */
export function EndpointModelField({
  provider,
  model,
  onModel,
  disabled,
  describedBy,
}: {
  provider: CatalogProvider;
  model: string;
  onModel: (model: string) => void;
  disabled?: boolean | undefined;
  describedBy: string;
}) {
  const state = endpointModelsState(provider);
  const listed = state.kind === "listed" ? state.models : [];
  // A model the list does not hold was typed: keep showing it as typed.
  const [typing, setTyping] = useState(() => model !== "" && !listed.includes(model));
  // Switching between the list and the text field moves focus to the control that replaced the other.
  const switched = useRef(false);
  const selectRef = useRef<HTMLSelectElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const switchTo = (next: boolean) => {
    switched.current = true;
    setTyping(next);
  };
  useEffect(() => {
    if (!switched.current) return;
    switched.current = false;
    (typing ? inputRef.current : selectRef.current)?.focus();
  }, [typing]);

  if (listed.length > 0 && !typing) {
    return (
      <Field label="Model">
        <Select
          ref={selectRef}
          value={listed.includes(model) ? model : ""}
          disabled={disabled}
          aria-describedby={describedBy}
          onChange={(event) => {
            if (event.target.value !== TYPE_ANOTHER) return onModel(event.target.value);
            switchTo(true);
            onModel("");
          }}
        >
          {listed.includes(model) ? null : (
            <option value="" disabled>
              Choose a model
            </option>
          )}
          <optgroup label="Listed by the endpoint">
            {listed.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </optgroup>
          <option value={TYPE_ANOTHER}>Type another model…</option>
        </Select>
      </Field>
    );
  }

  const hint =
    listed.length > 0 ? (
      <>
        Not in the endpoint's list.{" "}
        <button
          type="button"
          className={linkButton}
          disabled={disabled}
          onClick={() => {
            switchTo(false);
            onModel(listed[0] ?? "");
          }}
        >
          Choose from its {listed.length} {listed.length === 1 ? "model" : "models"}
        </button>
      </>
    ) : state.kind === "empty" ? (
      "The endpoint lists no models: type the id it serves."
    ) : null;
  return (
    <Field label="Model" hint={hint}>
      <Input
        ref={inputRef}
        value={model}
        disabled={disabled}
        placeholder="Model id, e.g. llama3.1"
        onChange={(event) => onModel(event.target.value)}
        autoComplete="off"
        spellCheck={false}
        aria-describedby={describedBy}
      />
    </Field>
  );
}

/** Why the endpoint's models could not be listed, in words; typing a model id still works. */
export function EndpointModelsNotice({ provider }: { provider: CatalogProvider }) {
  const state = endpointModelsState(provider);
  if (state.kind !== "failed") return null;
  return (
    <Alert tone="warning" title="Couldn't list the endpoint's models">
      <p data-testid="endpoint-models-problem">{state.reason}</p>
      <p>Type the model id instead; the studio asks the endpoint again shortly.</p>
    </Alert>
  );
}
