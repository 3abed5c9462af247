import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Field } from "../../components/ui/Field.tsx";
import { FormDialog } from "../../components/ui/FormDialog.tsx";
import { Input, Select } from "../../components/ui/Input.tsx";
import { useToast } from "../../components/ui/Toast.tsx";
import { describeError, firstError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { type GitHost, HOST_KIND_OPTIONS, hostKindFromForm, maskedToken } from "./git-hosts.ts";

/**
 * Adds a host's credential, or replaces a stored one. The token field is a password input,
 * uncontrolled, and lives only while the dialog is open, so a saved token is never shown again.
 */
export function SetGitHostDialog({
  open,
  existing,
  onClose,
}: {
  open: boolean;
  /** The stored credential being replaced; undefined when adding a host. */
  existing: GitHost | undefined;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const save = useMutation(
    trpc.gitCredentials.set.mutationOptions({
      onSuccess: async (saved) => {
        await queryClient.invalidateQueries({ queryKey: trpc.gitCredentials.list.queryKey() });
        toast.show(`Credential for ${saved.host} saved.`);
        close();
      },
    }),
  );

  function close() {
    save.reset();
    onClose();
  }

  function onSubmit(form: FormData) {
    const host = existing?.host ?? String(form.get("host") ?? "").trim();
    const username = String(form.get("username") ?? "").trim();
    const token = String(form.get("token") ?? "").trim();
    save.mutate({
      host,
      token,
      username: username || null,
      hostKind: hostKindFromForm(form.get("hostKind")),
    });
  }

  const { message, fieldErrors } = describeError(save.error, ["host", "token", "username", "hostKind"]);

  return (
    <FormDialog
      open={open}
      onClose={close}
      onSubmit={onSubmit}
      pending={save.isPending}
      message={message}
      title={existing ? `Replace the ${existing.host} credential` : "Add a git host"}
      description={
        existing
          ? `The new token takes over from ${maskedToken(existing)}.`
          : "Studio encrypts the token and never shows it again; only its last four characters stay visible."
      }
      submitLabel={existing ? "Replace credential" : "Save host"}
    >
      {existing ? (
        <Field label="Host">
          <Input name="host" value={existing.host} readOnly monospace />
        </Field>
      ) : (
        <Field
          label="Host"
          hint="The host only, with a port if it needs one: github.com, gitlab.example.com, git.internal:8443."
          error={firstError(fieldErrors, "host")}
        >
          <Input
            name="host"
            required
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            placeholder="github.com"
            monospace
            data-autofocus
          />
        </Field>
      )}
      <Field
        label="Access token"
        hint="A personal access token (or project/deploy token) that can read the repositories Studio should reach."
        error={firstError(fieldErrors, "token")}
      >
        <Input
          name="token"
          type="password"
          required
          autoComplete="off"
          spellCheck={false}
          placeholder="ghp_… or glpat-…"
          monospace
          {...(existing ? { "data-autofocus": true } : {})}
        />
      </Field>
      <Field
        label="User name (optional)"
        hint="Only for hosts that want the account's own name with a token (Bitbucket, some self-hosted servers)."
        error={firstError(fieldErrors, "username")}
      >
        <Input
          name="username"
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          defaultValue={existing?.username ?? ""}
        />
      </Field>
      <Field
        label="Host software"
        hint="For “Open a pull request” links on a self-hosted server; github.com, gitlab.com, bitbucket.org and codeberg.org are known by name."
        error={firstError(fieldErrors, "hostKind")}
      >
        <Select name="hostKind" defaultValue={existing?.hostKind ?? ""}>
          <option value="">Known by name, or none</option>
          {HOST_KIND_OPTIONS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </Select>
      </Field>
    </FormDialog>
  );
}
