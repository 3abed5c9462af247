import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTRPC } from "../../../../lib/trpc.ts";
import type { ChatState } from "../chat/chat-types.ts";
import { terminalsVersion } from "./terminals/terminals-live.ts";
import { initialTracker, workspaceRefreshFor } from "./workspace-live.ts";

/**
 * Keeps the workspace panel's caches true while the agent works: each file-touching tool call that
 * settles, each turn that ends and each push (read from the chat state the page already reduces)
 * invalidates the change list and the folder listings, files and diffs it may have changed. Only
 * queries on screen refetch; the rest are marked stale and refetch when shown. Lives with the page,
 * not the lazily loaded panel, so a closed panel opens on fresh data.
 */
export function useWorkspaceLiveUpdates(sessionId: string, state: ChatState): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tracker = useRef(initialTracker);

  useEffect(() => {
    const { refresh, tracker: next } = workspaceRefreshFor(tracker.current, state);
    tracker.current = next;
    if (!refresh) return;
    const invalidate = (queryKey: readonly unknown[]) => void queryClient.invalidateQueries({ queryKey });
    invalidate(trpc.workspace.changes.queryKey({ sessionId }));
    if (refresh.folders === "all") invalidate(trpc.workspace.list.queryKey({ sessionId }));
    else for (const path of refresh.folders) invalidate(trpc.workspace.list.queryKey({ sessionId, path }));
    if (refresh.files === "all") {
      invalidate(trpc.workspace.file.queryKey({ sessionId }));
      invalidate(trpc.workspace.diff.queryKey({ sessionId }));
    } else {
      for (const path of refresh.files) {
        invalidate(trpc.workspace.file.queryKey({ sessionId, path }));
        invalidate(trpc.workspace.diff.queryKey({ sessionId, path }));
      }
    }
  }, [state, sessionId, trpc, queryClient]);

  // A terminal opened, renamed or closed (here, in another tab, by someone else), or the session
  // stopped or resumed: the terminal list is refetched, so every tab shows the same terminals.
  const terminals = terminalsVersion(state);
  useEffect(() => {
    if (terminals === "") return;
    void queryClient.invalidateQueries({ queryKey: trpc.terminals.list.queryKey({ sessionId }) });
  }, [terminals, sessionId, trpc, queryClient]);
}
