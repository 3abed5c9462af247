import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Field } from "../../components/ui/Field.tsx";
import { FormDialog } from "../../components/ui/FormDialog.tsx";
import { Input } from "../../components/ui/Input.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError, firstError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import type { KeyProviderInfo, ProviderKey } from "./providers.ts";

/**
 * Adds or replaces one provider's key. The key field is a password input, uncontrolled, and lives
 * only while the dialog is open (its body unmounts on close), so a saved key is never shown again.
 */
export function SetKeyDialog({
  provider,
  existing,
  onClose,
}: {
  provider: KeyProviderInfo | null;
  existing: ProviderKey | undefined;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const save = useMutation(
    trpc.keys.set.mutationOptions({
      onSuccess: async (saved) => {
        // The catalogue's availability and key-source hints depend on which keys exist.
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.keys.list.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.sessions.catalog.queryKey() }),
        ]);
        toast.show(
          `${provider?.name ?? saved.provider} ${saved.provider === "custom" ? "endpoint" : "key"} saved.`,
        );
        close();
      },
    }),
  );
  const custom = provider?.id === "custom";

  function close() {
    save.reset();
    onClose();
  }

  function onSubmit(form: FormData) {
    if (!provider) return;
    const apiKey = String(form.get("apiKey") ?? "").trim();
    if (provider.id === "custom") {
      const baseUrl = String(form.get("baseUrl") ?? "").trim();
      save.mutate({ provider: "custom", baseUrl, ...(apiKey ? { apiKey } : {}) });
    } else {
      save.mutate({ provider: provider.id, apiKey });
    }
  }

  const { message, fieldErrors } = describeError(save.error, ["apiKey", "baseUrl"]);
  const verb = existing ? "Replace" : "Add";
  const noun = custom ? "endpoint" : "key";

  return (
    <FormDialog
      open={provider !== null}
      onClose={close}
      onSubmit={onSubmit}
      pending={save.isPending}
      message={message}
      title={`${verb} ${provider?.name ?? ""} ${noun}`}
      description={
        custom
          ? "Sessions on this endpoint send their model calls to it through the studio's gateway."
          : existing
            ? `The new key takes over from ••••${existing.lastFour} for new model calls.`
            : "Studio encrypts the key and never shows it again; only its last four characters stay visible."
      }
      submitLabel={existing ? `Replace ${noun}` : `Save ${noun}`}
    >
      {custom ? (
        <Field
          label="Base URL"
          hint="Usually ends in /v1, e.g. http://localhost:11434/v1 for Ollama."
          error={firstError(fieldErrors, "baseUrl")}
        >
          <Input
            name="baseUrl"
            type="url"
            inputMode="url"
            required
            autoComplete="off"
            spellCheck={false}
            placeholder="http://localhost:11434/v1"
            defaultValue={existing?.baseUrl ?? ""}
            monospace
            data-autofocus
          />
        </Field>
      ) : null}
      <Field
        label={custom ? "API key (optional)" : "API key"}
        hint={
          custom
            ? "Leave empty for servers that need none. Saving replaces any key stored before."
            : "Paste the key from your provider's console."
        }
        error={firstError(fieldErrors, "apiKey")}
      >
        <Input
          name="apiKey"
          type="password"
          required={!custom}
          autoComplete="off"
          spellCheck={false}
          placeholder={provider?.placeholder}
          monospace
          {...(custom ? {} : { "data-autofocus": true })}
        />
      </Field>
    </FormDialog>
  );
}
