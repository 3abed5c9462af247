import { useMutation } from "@tanstack/react-query";
import { CircleCheck, CircleX } from "lucide-react";
import { Field } from "../../components/ui/Field.tsx";
import { FormDialog } from "../../components/ui/FormDialog.tsx";
import { Input } from "../../components/ui/Input.tsx";
import { Spinner } from "../../components/ui/Spinner.tsx";
import { describeError, firstError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import {
  type GitHost,
  type GitHostTestResult,
  repositoryUrlPrefix,
  TEST_OUTCOME_TITLES,
} from "./git-hosts.ts";

/** The answer of `git ls-remote`, in words. The region exists before it arrives so it is announced. */
function TestResult({ pending, result }: { pending: boolean; result: GitHostTestResult | undefined }) {
  return (
    <div aria-live="polite" className="min-h-5 text-[13px]">
      {pending ? (
        <p className="flex items-center gap-2 text-fg-muted">
          <Spinner />
          Asking the host…
        </p>
      ) : result ? (
        <p
          data-testid="git-host-test-result"
          data-outcome={result.outcome}
          className={
            result.outcome === "ok"
              ? "flex items-start gap-2 text-success-soft-fg"
              : "flex items-start gap-2 text-danger-soft-fg"
          }
        >
          {result.outcome === "ok" ? (
            <CircleCheck className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          ) : (
            <CircleX className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          )}
          <span className="min-w-0 break-words">
            <span className="font-medium">{TEST_OUTCOME_TITLES[result.outcome]} </span>
            {result.message}
          </span>
        </p>
      ) : null}
    </div>
  );
}

/**
 * Runs `git ls-remote` on the studio's machine against a repository on the host, with the stored
 * credential. The dialog stays open with the answer, so another URL can be tried.
 */
export function TestGitHostDialog({ host, onClose }: { host: GitHost | null; onClose: () => void }) {
  const trpc = useTRPC();
  const test = useMutation(trpc.gitCredentials.test.mutationOptions());

  function close() {
    test.reset();
    onClose();
  }

  function onSubmit(form: FormData) {
    if (!host) return;
    const repositoryUrl = String(form.get("repositoryUrl") ?? "").trim();
    test.mutate({ host: host.host, repositoryUrl });
  }

  const { message, fieldErrors } = describeError(test.error, ["repositoryUrl"]);
  return (
    <FormDialog
      open={host !== null}
      onClose={close}
      onSubmit={onSubmit}
      pending={test.isPending}
      closableWhilePending
      message={message}
      title={`Test the ${host?.host ?? ""} credential`}
      description="Studio lists the repository's branches and tags with the stored token (git ls-remote). Nothing is cloned or changed."
      cancelLabel="Close"
      submitLabel="Run test"
    >
      <Field
        label="Repository URL"
        hint={`A repository on ${host?.host ?? "this host"} the token should reach, e.g. ${repositoryUrlPrefix(host?.host ?? "github.com")}acme/widgets.git`}
        error={firstError(fieldErrors, "repositoryUrl")}
      >
        <Input
          name="repositoryUrl"
          type="url"
          inputMode="url"
          required
          autoComplete="off"
          spellCheck={false}
          defaultValue={host ? repositoryUrlPrefix(host.host) : ""}
          monospace
          data-autofocus
        />
      </Field>
      <TestResult pending={test.isPending} result={test.data} />
    </FormDialog>
  );
}
