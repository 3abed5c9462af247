import { useMutation, useQuery } from "@tanstack/react-query";
import { ExternalLink, GitCommitHorizontal, GitPullRequestArrow, Upload } from "lucide-react";
import { type FormEvent, useCallback, useEffect, useId, useState } from "react";
import { Alert } from "../../../components/ui/Alert.tsx";
import { Button, buttonClasses } from "../../../components/ui/Button.tsx";
import { CopyField } from "../../../components/ui/CopyField.tsx";
import { Dialog } from "../../../components/ui/Dialog.tsx";
import { Field, useFieldControl } from "../../../components/ui/Field.tsx";
import { Skeleton } from "../../../components/ui/Skeleton.tsx";
import { describeError } from "../../../lib/errors.ts";
import { useTRPC } from "../../../lib/trpc.ts";
import { ProgressBar } from "../source/ProgressBar.tsx";
import { shortCommit } from "../source/source-format.ts";

/**
 * Commit everything changed on the session's branch and push it through the studio's git gateway:
 * the message (prefilled from the session's title and turns) is edited here, then the result shows
 * the commit, the branch and a link to open a pull request.
 */
export function CommitPushDialog({
  sessionId,
  workBranch,
  open,
  onClose,
}: {
  sessionId: string;
  workBranch: string | null;
  open: boolean;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const formId = useId();
  const suggested = useQuery(
    trpc.sessions.suggestedCommitMessage.queryOptions(
      { sessionId },
      { enabled: open, staleTime: 0, gcTime: 0 },
    ),
  );
  const push = useMutation(trpc.sessions.commitAndPush.mutationOptions());
  const [message, setMessage] = useState<string | null>(null);

  // A fresh start every time it opens: the suggestion follows the session's latest turns.
  useEffect(() => {
    if (!open) {
      setMessage(null);
      push.reset();
    }
  }, [open, push.reset]);

  const text = message ?? suggested.data?.message ?? "";
  const result = push.data;
  const error = push.error ? describeError(push.error, ["message"]) : null;
  const fieldError = error?.fieldErrors.message?.[0];

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (push.isPending) return;
    const trimmed = text.trim();
    push.mutate({ sessionId, ...(trimmed ? { message: trimmed } : {}) });
  };

  if (result) {
    return (
      <Dialog
        open={open}
        onClose={onClose}
        title={result.pushed ? "Pushed" : "Nothing pushed"}
        description={result.message}
        footer={
          <>
            <Button variant="secondary" onClick={onClose}>
              Close
            </Button>
            {result.pullRequestUrl ? (
              <a
                href={result.pullRequestUrl}
                target="_blank"
                rel="noopener noreferrer"
                className={buttonClasses("primary")}
              >
                <GitPullRequestArrow aria-hidden="true" />
                Open a pull request
                <ExternalLink aria-hidden="true" />
                <span className="sr-only">(opens in a new tab)</span>
              </a>
            ) : null}
          </>
        }
      >
        <dl className="commit-result grid grid-cols-[auto_1fr] items-center gap-x-4 gap-y-2 text-[13px]">
          <dt className="text-fg-muted">Branch</dt>
          <dd className="font-mono text-fg">{result.branch}</dd>
          <dt className="text-fg-muted">Commit</dt>
          <dd className="font-mono text-fg" title={result.commit ?? undefined}>
            {result.commit ? shortCommit(result.commit) : "none (no changes)"}
          </dd>
        </dl>
        {result.commit ? (
          <div className="mt-4">
            <CopyField
              label="Fetch it locally"
              copyLabel="Copy the git commands"
              value={`git fetch origin ${result.branch} && git switch ${result.branch}`}
            />
          </div>
        ) : null}
      </Dialog>
    );
  }

  return (
    <Dialog
      open={open}
      onClose={onClose}
      dismissible={!push.isPending}
      title="Commit & push"
      description={
        workBranch
          ? `Commits every change in the workspace and pushes it to ${workBranch} on the repository's origin.`
          : "Commits every change in the workspace and pushes it to the session's branch on origin."
      }
      footer={
        <>
          <Button variant="secondary" onClick={onClose} disabled={push.isPending}>
            Cancel
          </Button>
          <Button
            type="submit"
            form={formId}
            icon={<Upload />}
            pending={push.isPending}
            disabled={suggested.isPending}
          >
            {push.isPending ? "Pushing…" : "Commit & push"}
          </Button>
        </>
      }
    >
      <form id={formId} noValidate onSubmit={submit} className="space-y-4">
        {error?.message ? <Alert>{error.message}</Alert> : null}
        <Field
          label="Commit message"
          hint="The first line is the summary. You are the commit's author."
          error={fieldError}
        >
          {suggested.isPending ? (
            <Skeleton className="h-28 w-full" />
          ) : (
            <CommitMessageTextarea value={text} onChange={setMessage} disabled={push.isPending} />
          )}
        </Field>
        {suggested.isError ? (
          <Alert tone="warning">
            Couldn't suggest a message ({describeError(suggested.error).message}). Write one yourself.
          </Alert>
        ) : null}
        {push.isPending ? (
          <div role="status" className="space-y-1.5">
            <p className="flex items-center gap-1.5 text-[13px] text-fg-muted">
              <GitCommitHorizontal className="size-4" aria-hidden="true" />
              Committing and pushing through the studio's git gateway…
            </p>
            <ProgressBar percent={null} label="Pushing" />
          </div>
        ) : null}
      </form>
    </Dialog>
  );
}

/** A textarea that takes its id, description and error state from the Field around it. */
function CommitMessageTextarea({
  value,
  onChange,
  disabled,
}: {
  value: string;
  onChange: (value: string) => void;
  disabled: boolean;
}) {
  const field = useFieldControl();
  // It replaces a placeholder once the suggestion arrives, after the dialog placed focus: take it.
  const focusOnMount = useCallback((element: HTMLTextAreaElement | null) => element?.focus(), []);
  return (
    <textarea
      id={field?.id}
      aria-describedby={field?.describedBy}
      aria-invalid={field?.invalid || undefined}
      ref={focusOnMount}
      rows={6}
      value={value}
      disabled={disabled}
      spellCheck
      onChange={(event) => onChange(event.target.value)}
      className="w-full resize-y rounded-lg border border-line bg-surface px-3 py-2 font-mono text-[13px] text-fg shadow-soft placeholder:text-fg-subtle hover:border-line-strong focus-visible:border-accent focus-visible:ring-3 focus-visible:ring-ring/25 focus-visible:outline-none disabled:bg-surface-muted aria-invalid:border-danger"
    />
  );
}
