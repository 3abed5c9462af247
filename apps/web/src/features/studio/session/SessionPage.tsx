import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { SearchX } from "lucide-react";
import { useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { buttonClasses } from "../../../components/ui/Button.tsx";
import { EmptyState } from "../../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../../components/ui/ErrorState.tsx";
import { PageSpinner } from "../../../components/ui/Spinner.tsx";
import { describeError, errorCode } from "../../../lib/errors.ts";
import { type RouterOutputs, useTRPC } from "../../../lib/trpc.ts";
import { useCurrentUser } from "../../auth/current-user.ts";
import type { AgentFeature } from "../config/model-choice.ts";
import { isLiveStatus } from "../session-status.ts";
import { SessionsDrawerButton } from "../sessions-list/SessionsDrawer.tsx";
import { AgentLimitNote } from "./AgentLimitNote.tsx";
import { Composer } from "./Composer.tsx";
import { ChatList, ConversationEmpty } from "./chat/ChatList.tsx";
import type { ChatState } from "./chat/chat-types.ts";
import { ChatContext } from "./chat/items/chat-context.ts";
import { IdleWarning } from "./IdleWarning.tsx";
import { SessionHeader } from "./SessionHeader.tsx";
import { StopSessionDialog } from "./StopSessionDialog.tsx";
import { useKeepalive } from "./use-keepalive.ts";
import { useSessionEvents } from "./use-session-events.ts";
import { usePanelOpen } from "./workspace/use-panel-open.ts";
import { useWorkspaceLiveUpdates } from "./workspace/use-workspace-live.ts";
import { WorkspaceLayout } from "./workspace/WorkspaceLayout.tsx";

type Session = RouterOutputs["sessions"]["get"];

export function SessionPage() {
  const { sessionId = "" } = useParams();
  // A new key per session: the event state of one session never leaks into another.
  return <SessionLoader key={sessionId} sessionId={sessionId} />;
}

function SessionLoader({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  const session = useQuery(trpc.sessions.get.queryOptions({ sessionId }));
  if (session.isPending) return <PageSpinner label="Loading session" />;
  if (session.isError) {
    if (errorCode(session.error) === "NOT_FOUND" || errorCode(session.error) === "BAD_REQUEST") {
      return (
        <EmptyState
          icon={SearchX}
          spacing="roomy"
          title="Session not found"
          description="It may belong to another organisation, or the link is wrong."
          action={
            <Link to="/" className={buttonClasses("secondary")}>
              Start a new session
            </Link>
          }
        />
      );
    }
    return (
      <ErrorState
        error={session.error}
        onRetry={() => void session.refetch()}
        title="Couldn't load the session"
      />
    );
  }
  return <SessionView session={session.data} />;
}

function lastTurnActivity(state: ChatState): number {
  for (let i = state.items.length - 1; i >= 0; i--) {
    const item = state.items[i];
    if (item?.kind === "user" || item?.kind === "assistant") return item.at.getTime();
  }
  return 0;
}

function SessionView({ session }: { session: Session }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { user } = useCurrentUser();
  const sessionId = session.id;
  const catalog = useQuery(trpc.sessions.catalog.queryOptions());
  const { state, connection } = useSessionEvents(sessionId);
  useWorkspaceLiveUpdates(sessionId, state);
  const [workspaceOpen, setWorkspaceOpen] = usePanelOpen();
  const status = state.status ?? session.status;
  const live = isLiveStatus(status);
  const [draft, setDraft] = useState("");
  const [confirmStop, setConfirmStop] = useState(false);

  const send = useMutation(trpc.sessions.sendMessage.mutationOptions());
  const cancel = useMutation(trpc.sessions.cancel.mutationOptions());
  const resume = useMutation(trpc.sessions.resume.mutationOptions());

  // The row's counters and activity time change with the log: refresh it when a turn or status ends.
  const turnRunning = state.turn !== null;
  useEffect(() => {
    void queryClient.invalidateQueries({ queryKey: trpc.sessions.get.queryKey({ sessionId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.sessions.list.pathKey() });
  }, [status, turnRunning, queryClient, trpc, sessionId]);

  const clock = useKeepalive({
    sessionId,
    enabled: status === "ready" || status === "idle",
    idleTimeoutSeconds: session.idleTimeoutSeconds,
    lastActivityAt: Math.max(session.lastActivityAt.getTime(), lastTurnActivity(state)),
  });

  const sendDraft = () => {
    const text = draft.trim();
    if (!text) return;
    setDraft("");
    send.mutate({ sessionId, text }, { onError: () => setDraft((current) => current || text) });
  };

  // A limit of the agent, said where it matters: before the first instruction, that it will not ask
  // questions (so the instruction should settle them); beside Resume, what resuming gives back.
  const noteFeature: AgentFeature | null = !live
    ? "resume"
    : state.items.some((item) => item.kind === "user")
      ? null
      : "questions";

  const lastProvisioningId = useMemo(
    () => state.items.findLast((item) => item.kind === "provisioning")?.id ?? null,
    [state.items],
  );
  const chatContext = useMemo(
    () => ({ sessionId, userId: user.id, live, failed: status === "error", lastProvisioningId }),
    [sessionId, user.id, live, status, lastProvisioningId],
  );

  return (
    <ChatContext.Provider value={chatContext}>
      <div className="flex h-full min-h-0 flex-col">
        <SessionHeader
          session={session}
          catalog={catalog.data}
          status={status}
          state={state}
          connection={connection}
          onStop={() => setConfirmStop(true)}
          onResume={() => resume.mutate({ sessionId })}
          resuming={resume.isPending}
          navigation={<SessionsDrawerButton />}
          workspaceOpen={workspaceOpen}
          onToggleWorkspace={() => setWorkspaceOpen(!workspaceOpen)}
        />
        <WorkspaceLayout
          panelOpen={workspaceOpen}
          setPanelOpen={setWorkspaceOpen}
          session={{
            sessionId,
            canPush: session.source.kind === "git",
            workBranch: session.workBranch,
            onResume: live ? null : () => resume.mutate({ sessionId }),
            resuming: resume.isPending,
          }}
          chat={
            <>
              <ChatList
                state={state}
                empty={
                  <ConversationEmpty>
                    <p className="text-[15px] font-semibold text-fg">
                      {connection === "live" ? "Nothing here yet" : "Loading the conversation…"}
                    </p>
                    <p className="mt-1 max-w-sm text-[13px] text-fg-muted">
                      Write what the agent should do. You can send it while the sandbox is still starting.
                    </p>
                  </ConversationEmpty>
                }
              />
              <div className="px-3 pt-2 pb-3 sm:px-6 sm:pb-4">
                {live ? <IdleWarning clock={clock} idleTimeoutSeconds={session.idleTimeoutSeconds} /> : null}
                <div className="mx-auto w-full max-w-3xl">
                  {noteFeature ? (
                    <AgentLimitNote
                      catalog={catalog.data}
                      agentId={session.agent}
                      feature={noteFeature}
                      className="mb-2 px-1"
                    />
                  ) : null}
                  <Composer
                    value={draft}
                    onChange={setDraft}
                    onSend={sendDraft}
                    sending={send.isPending}
                    onCancel={turnRunning && live ? () => cancel.mutate({ sessionId }) : undefined}
                    cancelling={cancel.isPending}
                    stopped={!live}
                    stoppedText={
                      status === "error"
                        ? "This session failed. Resume it to try again."
                        : "This session is stopped. Resume it to keep working."
                    }
                    onResume={() => resume.mutate({ sessionId })}
                    resuming={resume.isPending}
                    error={
                      send.error
                        ? describeError(send.error).message
                        : resume.error
                          ? describeError(resume.error).message
                          : cancel.error && errorCode(cancel.error) !== "CONFLICT"
                            ? describeError(cancel.error).message
                            : null
                    }
                  />
                </div>
              </div>
            </>
          }
        />
      </div>
      <StopSessionDialog sessionId={sessionId} open={confirmStop} onClose={() => setConfirmStop(false)} />
    </ChatContext.Provider>
  );
}
