import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Hand, Play, Timer, Zap } from "lucide-react";
import { type FormEvent, type KeyboardEvent, useState } from "react";
import { Link, useNavigate } from "react-router";
import { Alert } from "../../../components/ui/Alert.tsx";
import { Button } from "../../../components/ui/Button.tsx";
import { Card } from "../../../components/ui/Card.tsx";
import { ErrorState } from "../../../components/ui/ErrorState.tsx";
import { Skeleton } from "../../../components/ui/Skeleton.tsx";
import { Spinner } from "../../../components/ui/Spinner.tsx";
import { describeError } from "../../../lib/errors.ts";
import { useTRPC } from "../../../lib/trpc.ts";
import { ConfigBar } from "../config/ConfigBar.tsx";
import { type Catalog, choiceProblem, initialChoice, type SessionChoice } from "../config/model-choice.ts";
import { SourcePicker } from "../source/SourcePicker.tsx";
import { EMPTY_CHOICE, type SourceChoice } from "../source/source-state.ts";

function Defaults() {
  const trpc = useTRPC();
  const settings = useQuery(trpc.organizations.current.queryOptions()).data;
  if (!settings) return <Skeleton className="h-4 w-48" />;
  return (
    <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-fg-muted [&_svg]:size-3.5">
      <span className="inline-flex items-center gap-1">
        {settings.toolPermissions === "ask" ? <Hand aria-hidden="true" /> : <Zap aria-hidden="true" />}
        Tools: {settings.toolPermissions === "ask" ? "ask first" : "allowed"}
      </span>
      <span className="inline-flex items-center gap-1">
        <Timer aria-hidden="true" />
        Idle timeout: {settings.idleTimeoutMinutes} min
      </span>
      <Link to="/settings/organization" className="hover:text-fg hover:underline">
        Session defaults
      </Link>
    </p>
  );
}

function StartSessionForm({ catalog }: { catalog: Catalog }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [choice, setChoice] = useState<SessionChoice>(() => initialChoice(catalog));
  const [prompt, setPrompt] = useState("");
  const [source, setSource] = useState<SourceChoice>(EMPTY_CHOICE);
  const create = useMutation(trpc.sessions.create.mutationOptions());
  const send = useMutation(trpc.sessions.sendMessage.mutationOptions());
  const problem = choiceProblem(catalog, choice);
  const pending = create.isPending || send.isPending;
  // An upload or a ref listing still running makes Start wait; a bad source makes it refuse.
  const sourceBlocked = source.source === null;

  const start = async (event?: FormEvent) => {
    event?.preventDefault();
    if (problem || pending || !source.source) return;
    const session = await create.mutateAsync({ ...choice, source: source.source }).catch(() => null);
    if (!session) return;
    const text = prompt.trim();
    // The first message is stored at once and runs as soon as the sandbox is ready.
    if (text) await send.mutateAsync({ sessionId: session.id, text }).catch(() => null);
    void queryClient.invalidateQueries({ queryKey: trpc.sessions.list.pathKey() });
    navigate(`/sessions/${session.id}`);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void start();
    }
  };

  const error = create.error ?? send.error;
  return (
    <form onSubmit={start}>
      <div className="space-y-4 p-4 sm:p-5">
        <div className="flex flex-col gap-2">
          <label htmlFor="session-prompt" className="text-[13px] font-medium text-fg">
            What should the agent work on?
          </label>
          <textarea
            id="session-prompt"
            rows={3}
            value={prompt}
            onChange={(event) => setPrompt(event.target.value)}
            onKeyDown={onKeyDown}
            placeholder="e.g. Add rate limiting to the public API and cover it with tests"
            aria-describedby="session-prompt-hint"
            className="w-full resize-y rounded-lg border border-line bg-surface px-3 py-2.5 text-sm text-fg shadow-soft placeholder:text-fg-muted hover:border-line-strong focus-visible:border-accent focus-visible:ring-3 focus-visible:ring-ring/25 focus-visible:outline-none"
          />
          <p id="session-prompt-hint" className="text-xs text-fg-muted">
            Optional. Enter starts the session with this message; Shift+Enter adds a line.
          </p>
        </div>
        <SourcePicker onChange={setSource} disabled={pending} />
        <ConfigBar catalog={catalog} choice={choice} onChange={setChoice} disabled={pending} />
        {error ? <Alert>{describeError(error).message}</Alert> : null}
      </div>
      <div className="flex flex-wrap items-center justify-between gap-3 rounded-b-xl border-t border-line bg-surface-muted/60 px-4 py-3 sm:px-5">
        <Defaults />
        <div className="flex items-center gap-3">
          {sourceBlocked && source.problem ? (
            <p id="start-blocked" className="max-w-64 text-right text-xs text-fg-muted">
              {source.busy ? <Spinner className="mr-1 inline size-3" /> : null}
              {source.busy ? "Waiting for the source…" : source.problem}
            </p>
          ) : null}
          <Button
            type="submit"
            icon={<Play />}
            pending={pending}
            disabled={problem !== null || sourceBlocked}
            aria-describedby={sourceBlocked && source.problem ? "start-blocked" : undefined}
          >
            Start session
          </Button>
        </div>
      </div>
    </form>
  );
}

/** Where a session is configured and started: the first message, or the Start button, creates it. */
export function NewSessionForm() {
  const trpc = useTRPC();
  const catalog = useQuery(trpc.sessions.catalog.queryOptions());
  return (
    <Card aria-labelledby="composer-heading">
      <h2 id="composer-heading" className="sr-only">
        New session
      </h2>
      {catalog.data ? (
        <StartSessionForm catalog={catalog.data} />
      ) : catalog.isError ? (
        <ErrorState
          error={catalog.error}
          onRetry={() => void catalog.refetch()}
          title="Couldn't load the models"
        />
      ) : (
        <div role="status" aria-label="Loading models" className="space-y-4 p-5">
          <Skeleton className="h-20 w-full" />
          <div className="grid gap-3 sm:grid-cols-3">
            <Skeleton className="h-9" />
            <Skeleton className="h-9" />
            <Skeleton className="h-9" />
          </div>
        </div>
      )}
    </Card>
  );
}
