import * as Tabs from "@radix-ui/react-tabs";
import { useQuery } from "@tanstack/react-query";
import { FileText, FolderTree, GitCompare, Globe, PanelRightClose, SquareTerminal } from "lucide-react";
import { useState } from "react";
import { Button } from "../../../../components/ui/Button.tsx";
import { cn } from "../../../../lib/cn.ts";
import { useTRPC } from "../../../../lib/trpc.ts";
import { ChangesView } from "./ChangesView.tsx";
import { FilesView } from "./FilesView.tsx";
import { FileView } from "./FileView.tsx";
import { PreviewsView } from "./PreviewsView.tsx";
import { TerminalsView } from "./terminals/TerminalsView.tsx";
import type { WorkspaceSelection } from "./use-workspace-selection.ts";
import type { WorkspaceView } from "./workspace-types.ts";

export interface WorkspacePanelProps {
  sessionId: string;
  /** A repository session: Commit & push is offered. */
  canPush: boolean;
  workBranch: string | null;
  /** Resume the session, from a "stopped" state; null when the page offers none. */
  onResume: (() => void) | null;
  resuming: boolean;
  selection: WorkspaceSelection;
  select: (next: Partial<WorkspaceSelection>) => void;
  /** Hides the panel (desktop); null where it is a tab. */
  onClose: (() => void) | null;
}

const triggerClasses = cn(
  "group inline-flex h-8 shrink-0 cursor-pointer items-center gap-1.5 rounded-md px-2.5 text-[13px] font-medium text-fg-muted",
  "hover:bg-surface-hover hover:text-fg data-[state=active]:bg-surface-hover data-[state=active]:text-fg",
  "[&>svg]:size-3.5",
);

/** A narrow panel names only the open view; the others keep their names for hover and screen readers. */
const labelClasses = "@max-[28rem]/views:group-data-[state=inactive]:sr-only";

/**
 * The workspace panel: Files (the tree), File (one file's content), Changes (since the base) and
 * Terminal (shells in the sandbox) and Previews (what the sandbox serves, through the studio's proxy).
 */
export function WorkspacePanel(props: WorkspacePanelProps) {
  const { sessionId, selection, select, onClose } = props;
  const trpc = useTRPC();
  // The count on the Changes tab; the same query the Changes view shows, so one request.
  const changes = useQuery(trpc.workspace.changes.queryOptions({ sessionId }, { retry: false }));
  // A failed refetch keeps the last data: no count then, it may be stale (a stopped session).
  const count = changes.isError ? 0 : (changes.data?.totals.files ?? 0);
  // Once shown, the terminals stay mounted behind the other views: their screens and sockets live on.
  const [terminalsShown, setTerminalsShown] = useState(selection.view === "terminal");
  if (selection.view === "terminal" && !terminalsShown) setTerminalsShown(true);
  return (
    <section aria-label="Workspace" className="workspace-panel flex min-h-0 flex-1 flex-col bg-surface">
      <Tabs.Root
        value={selection.view}
        onValueChange={(view) => select({ view: view as WorkspaceView })}
        className="flex min-h-0 flex-1 flex-col"
      >
        {/* A narrow panel keeps every tab in view (labelClasses). */}
        <div className="@container/views flex items-center gap-1 border-b border-line px-2 py-1.5">
          <Tabs.List
            aria-label="Workspace views"
            className="flex min-w-0 flex-1 items-center gap-0.5 overflow-x-auto"
          >
            <Tabs.Trigger value="files" className={triggerClasses} title="Files">
              <FolderTree aria-hidden="true" />
              <span className={labelClasses}>Files</span>
            </Tabs.Trigger>
            <Tabs.Trigger value="file" className={triggerClasses} title="File">
              <FileText aria-hidden="true" />
              <span className={labelClasses}>File</span>
            </Tabs.Trigger>
            <Tabs.Trigger value="changes" className={triggerClasses} title="Changes">
              <GitCompare aria-hidden="true" />
              <span className={labelClasses}>Changes</span>
              {count > 0 ? (
                <span className="changes-count rounded-full bg-accent-soft px-1.5 text-[11px] text-accent-soft-fg tabular-nums">
                  {count}
                </span>
              ) : null}
            </Tabs.Trigger>
            <Tabs.Trigger value="terminal" className={triggerClasses} title="Terminal">
              <SquareTerminal aria-hidden="true" />
              <span className={labelClasses}>Terminal</span>
            </Tabs.Trigger>
            <Tabs.Trigger value="previews" className={triggerClasses} title="Previews">
              <Globe aria-hidden="true" />
              <span className={labelClasses}>Previews</span>
            </Tabs.Trigger>
          </Tabs.List>
          {onClose ? (
            <Button
              variant="ghost"
              size="sm"
              aria-label="Hide the workspace panel"
              title="Hide the workspace panel"
              icon={<PanelRightClose />}
              onClick={onClose}
            />
          ) : null}
        </div>
        <Tabs.Content value="files" className="flex min-h-0 flex-1 flex-col outline-none">
          <FilesView {...props} />
        </Tabs.Content>
        <Tabs.Content value="file" className="flex min-h-0 flex-1 flex-col outline-none">
          <FileView {...props} />
        </Tabs.Content>
        <Tabs.Content value="changes" className="flex min-h-0 flex-1 flex-col outline-none">
          <ChangesView {...props} />
        </Tabs.Content>
        <Tabs.Content
          value="terminal"
          forceMount={terminalsShown || undefined}
          className="flex min-h-0 flex-1 flex-col outline-none data-[state=inactive]:hidden"
        >
          {terminalsShown ? <TerminalsView {...props} /> : null}
        </Tabs.Content>
        <Tabs.Content value="previews" className="flex min-h-0 flex-1 flex-col outline-none">
          <PreviewsView {...props} />
        </Tabs.Content>
      </Tabs.Root>
    </section>
  );
}
