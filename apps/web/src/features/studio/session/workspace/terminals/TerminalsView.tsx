import * as Tabs from "@radix-ui/react-tabs";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Eye, Lock, Pencil, Play, Plus, SquareTerminal, X } from "lucide-react";
import { useMemo, useState } from "react";
import { Alert } from "../../../../../components/ui/Alert.tsx";
import { Badge } from "../../../../../components/ui/Badge.tsx";
import { Button } from "../../../../../components/ui/Button.tsx";
import { EmptyState } from "../../../../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../../../../components/ui/ErrorState.tsx";
import { PageSpinner } from "../../../../../components/ui/Spinner.tsx";
import { cn } from "../../../../../lib/cn.ts";
import { describeError, errorCode } from "../../../../../lib/errors.ts";
import { type RouterOutputs, useTRPC } from "../../../../../lib/trpc.ts";
import type { WorkspacePanelProps } from "../WorkspacePanel.tsx";
import { RenameTerminalDialog } from "./RenameTerminalDialog.tsx";
import { TerminalPane } from "./TerminalPane.tsx";

type Terminal = RouterOutputs["terminals"]["list"]["terminals"][number];

const tabClasses = cn(
  "group inline-flex h-7 max-w-[12rem] shrink-0 cursor-pointer items-center gap-1.5 rounded-md px-2 text-[13px] font-medium text-fg-muted",
  "hover:bg-surface-hover hover:text-fg data-[state=active]:bg-surface-hover data-[state=active]:text-fg",
  "data-[ended=true]:italic [&>svg]:size-3.5 [&>svg]:shrink-0",
);

/**
 * The session's terminals: a tab each, opened, renamed and closed here. Watchers (members the
 * organisation lets watch) see them read-only. A shell that exited keeps its tab, saying so, until
 * it is dismissed: the list from the server drops it at once.
 */
export function TerminalsView({ sessionId, onResume, resuming }: WorkspacePanelProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const live = onResume === null;
  const list = useQuery(trpc.terminals.list.queryOptions({ sessionId }, { retry: false, enabled: live }));
  const [selected, setSelected] = useState<string | null>(null);
  const [justOpened, setJustOpened] = useState<string | null>(null);
  const [ended, setEnded] = useState<Record<string, Terminal>>({});
  // Closed here: gone at once, even if its shell's exit or a list fetched before the close comes after.
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(() => new Set());
  const [renaming, setRenaming] = useState<Terminal | null>(null);
  const refresh = () =>
    void queryClient.invalidateQueries({ queryKey: trpc.terminals.list.queryKey({ sessionId }) });

  const open = useMutation(
    trpc.terminals.open.mutationOptions({
      onSuccess: (terminal) => {
        queryClient.setQueryData(trpc.terminals.list.queryKey({ sessionId }), (current) =>
          current
            ? { ...current, terminals: [...current.terminals.filter((t) => t.id !== terminal.id), terminal] }
            : current,
        );
        setSelected(terminal.id);
        setJustOpened(terminal.id);
        refresh();
      },
    }),
  );
  const close = useMutation(trpc.terminals.close.mutationOptions({ onSettled: refresh }));

  const terminals = useMemo(() => {
    const shown = (list.data?.terminals ?? []).filter((t) => !dismissed.has(t.id));
    for (const terminal of Object.values(ended))
      if (!dismissed.has(terminal.id) && !shown.some((t) => t.id === terminal.id)) shown.push(terminal);
    return shown.sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime());
  }, [list.data, ended, dismissed]);

  if (!live) {
    return (
      <div className="terminals-unavailable" role="status">
        <EmptyState
          icon={SquareTerminal}
          spacing="compact"
          title="The session is stopped"
          description="Its terminals ended with it. Resume the session to use a terminal."
          action={
            onResume ? (
              <Button variant="secondary" icon={<Play />} pending={resuming} onClick={onResume}>
                Resume session
              </Button>
            ) : null
          }
        />
      </div>
    );
  }
  if (list.isPending) return <PageSpinner label="Loading terminals" />;
  if (list.isError) {
    if (errorCode(list.error) === "FORBIDDEN") {
      return (
        <div className="terminals-unavailable" role="status">
          <EmptyState
            icon={Lock}
            spacing="compact"
            title="Terminals are private here"
            description="Only the session's creator and the organisation's owners and admins can use its terminals."
          />
        </div>
      );
    }
    return (
      <ErrorState
        error={list.error}
        onRetry={() => void list.refetch()}
        title="Couldn't load the terminals"
      />
    );
  }

  const { canType } = list.data;
  const openNew = canType
    ? () => {
        if (!open.isPending) open.mutate({ sessionId, size: { cols: 80, rows: 24 } });
      }
    : null;
  const current = terminals.find((t) => t.id === selected) ?? terminals.at(-1) ?? null;
  const isEnded = (terminal: Terminal) => terminal.id in ended;
  const dismiss = (terminal: Terminal) => {
    setDismissed((all) => new Set(all).add(terminal.id));
    setEnded(({ [terminal.id]: _gone, ...rest }) => rest);
    if (!isEnded(terminal)) close.mutate({ sessionId, terminalId: terminal.id });
  };
  const failure = open.error ?? close.error;

  const readOnly = canType ? null : (
    <Badge className="terminals-read-only">
      <Eye className="size-3" aria-hidden="true" />
      Read only
    </Badge>
  );

  return (
    <div className="terminals flex min-h-0 flex-1 flex-col">
      {failure ? (
        <div className="border-b border-line p-2">
          <Alert>{describeError(failure).message}</Alert>
        </div>
      ) : null}
      {current === null ? (
        <EmptyState
          icon={SquareTerminal}
          spacing="compact"
          title="No terminal open"
          description={
            canType
              ? "Open a shell in the session's workspace to run commands yourself."
              : "You can watch the terminals the session's creator opens, but not type in them."
          }
          action={
            canType ? (
              <Button icon={<Plus />} pending={open.isPending} onClick={() => openNew?.()}>
                New terminal
              </Button>
            ) : (
              readOnly
            )
          }
        />
      ) : (
        <Tabs.Root
          value={current.id}
          onValueChange={setSelected}
          activationMode="manual"
          className="flex min-h-0 flex-1 flex-col"
        >
          <div className="flex items-center gap-1 border-b border-line px-2 py-1">
            <Tabs.List
              aria-label="Terminals"
              className="flex min-w-0 flex-1 items-center gap-0.5 overflow-x-auto"
            >
              {terminals.map((terminal) => (
                <Tabs.Trigger
                  key={terminal.id}
                  value={terminal.id}
                  className={tabClasses}
                  data-ended={isEnded(terminal)}
                  title={
                    terminal.openedBy
                      ? `${terminal.name}, opened by ${terminal.openedBy.name}`
                      : terminal.name
                  }
                >
                  <SquareTerminal aria-hidden="true" />
                  <span className="truncate">{terminal.name}</span>
                  {isEnded(terminal) ? <span className="sr-only">(exited)</span> : null}
                </Tabs.Trigger>
              ))}
            </Tabs.List>
            {readOnly}
            {canType && !isEnded(current) ? (
              <Button
                variant="ghost"
                size="sm"
                className="px-2"
                aria-label={`Rename the terminal ${current.name}`}
                title="Rename"
                icon={<Pencil />}
                onClick={() => setRenaming(current)}
              />
            ) : null}
            {canType || isEnded(current) ? (
              <Button
                variant="ghost"
                size="sm"
                className="px-2"
                aria-label={`Close the terminal ${current.name}`}
                title="Close"
                icon={<X />}
                pending={close.isPending && close.variables?.terminalId === current.id}
                onClick={() => dismiss(current)}
              />
            ) : null}
            {canType ? (
              <Button
                variant="ghost"
                size="sm"
                className="px-2"
                aria-label="New terminal"
                title="New terminal"
                icon={<Plus />}
                pending={open.isPending}
                onClick={() => openNew?.()}
              />
            ) : null}
          </div>
          {terminals.map((terminal) => (
            // Every terminal stays mounted (hidden when not shown): its screen and socket live on.
            <Tabs.Content
              key={terminal.id}
              value={terminal.id}
              forceMount
              className="flex min-h-0 flex-1 flex-col outline-none data-[state=inactive]:hidden"
            >
              <TerminalPane
                sessionId={sessionId}
                terminalId={terminal.id}
                name={terminal.name}
                live={live}
                autoFocus={terminal.id === justOpened}
                onExited={() => setEnded((all) => ({ ...all, [terminal.id]: terminal }))}
                onNewTerminal={openNew}
                opening={open.isPending}
                onDismiss={() => dismiss(terminal)}
              />
            </Tabs.Content>
          ))}
        </Tabs.Root>
      )}
      <RenameTerminalDialog sessionId={sessionId} terminal={renaming} onClose={() => setRenaming(null)} />
    </div>
  );
}
