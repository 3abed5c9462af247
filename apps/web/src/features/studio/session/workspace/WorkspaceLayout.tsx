import * as Tabs from "@radix-ui/react-tabs";
import { lazy, type ReactNode, Suspense, useMemo, useState } from "react";
import { Group, Panel, Separator, useDefaultLayout } from "react-resizable-panels";
import { PageSpinner } from "../../../../components/ui/Spinner.tsx";
import { cn } from "../../../../lib/cn.ts";
import { useNarrowScreen } from "./use-narrow-screen.ts";
import { useWorkspaceSelection } from "./use-workspace-selection.ts";
import type { WorkspacePanelProps } from "./WorkspacePanel.tsx";
import { type WorkspaceLinks, WorkspaceLinksContext } from "./workspace-links.ts";
import { normalisePath } from "./workspace-paths.ts";

// The panel's code (tree, viewer, diffs) loads the first time it is shown.
const WorkspacePanel = lazy(() =>
  import("./WorkspacePanel.tsx").then((module) => ({ default: module.WorkspacePanel })),
);

type SessionInfo = Omit<WorkspacePanelProps, "selection" | "select" | "onClose">;

const tabClasses = cn(
  "flex h-9 flex-1 cursor-pointer items-center justify-center gap-1.5 border-b-2 border-transparent text-[13px] font-medium text-fg-muted",
  "data-[state=active]:border-accent data-[state=active]:text-fg hover:text-fg",
);

/**
 * The chat and the workspace: side by side in a resizable split on desktop (the panel shown or
 * hidden by the header's toggle), or as two tabs below 768 px. Tool cards in the chat open files
 * and changes in the panel through the links context, showing the panel first if it is hidden.
 */
export function WorkspaceLayout({
  chat,
  panelOpen,
  setPanelOpen,
  session,
}: {
  chat: ReactNode;
  panelOpen: boolean;
  setPanelOpen: (open: boolean) => void;
  session: SessionInfo;
}) {
  const narrow = useNarrowScreen();
  const [selection, select] = useWorkspaceSelection();
  const [tab, setTab] = useState<"chat" | "workspace">("chat");
  const [visited, setVisited] = useState(false);
  const { defaultLayout, onLayoutChanged } = useDefaultLayout({
    id: "studio-session-workspace",
    panelIds: panelOpen ? ["chat", "workspace"] : ["chat"],
    storage: localStorage,
  });

  const links = useMemo<WorkspaceLinks>(() => {
    const reveal = () => {
      setPanelOpen(true);
      setTab("workspace");
      setVisited(true);
    };
    return {
      openFile: (path) => {
        const file = normalisePath(path);
        if (file === null) return;
        select({ view: "file", file });
        reveal();
      },
      openChange: (path) => {
        const change = normalisePath(path);
        if (change === null) return;
        select({ view: "changes", change });
        reveal();
      },
    };
  }, [select, setPanelOpen]);

  const panel = (onClose: (() => void) | null) => (
    <Suspense fallback={<PageSpinner label="Loading the workspace" />}>
      <WorkspacePanel {...session} selection={selection} select={select} onClose={onClose} />
    </Suspense>
  );

  if (narrow) {
    return (
      <WorkspaceLinksContext.Provider value={links}>
        <Tabs.Root
          value={tab}
          onValueChange={(value) => {
            setTab(value === "workspace" ? "workspace" : "chat");
            if (value === "workspace") setVisited(true);
          }}
          className="flex min-h-0 flex-1 flex-col"
        >
          <Tabs.List aria-label="Session views" className="flex border-b border-line bg-canvas px-3">
            <Tabs.Trigger value="chat" className={tabClasses}>
              Chat
            </Tabs.Trigger>
            <Tabs.Trigger value="workspace" className={cn(tabClasses, "workspace-tab")}>
              Workspace
            </Tabs.Trigger>
          </Tabs.List>
          <Tabs.Content
            value="chat"
            forceMount
            className="flex min-h-0 flex-1 flex-col data-[state=inactive]:hidden"
          >
            {chat}
          </Tabs.Content>
          <Tabs.Content
            value="workspace"
            forceMount
            className="flex min-h-0 flex-1 flex-col data-[state=inactive]:hidden"
          >
            {visited || tab === "workspace" ? panel(null) : null}
          </Tabs.Content>
        </Tabs.Root>
      </WorkspaceLinksContext.Provider>
    );
  }

  return (
    <WorkspaceLinksContext.Provider value={links}>
      <Group
        orientation="horizontal"
        defaultLayout={defaultLayout}
        onLayoutChanged={onLayoutChanged}
        className="min-h-0 flex-1"
      >
        <Panel id="chat" minSize="360px" className="flex min-h-0 flex-col" style={{ overflow: "hidden" }}>
          {chat}
        </Panel>
        {panelOpen ? (
          <>
            <Separator
              aria-label="Resize the workspace panel"
              className="workspace-resizer w-px bg-line outline-none transition-colors hover:bg-accent focus-visible:w-1 focus-visible:bg-accent data-[separator=active]:bg-accent"
            />
            <Panel
              id="workspace"
              defaultSize="42%"
              minSize="300px"
              maxSize="75%"
              className="flex min-h-0 flex-col"
              style={{ overflow: "hidden" }}
            >
              {panel(() => setPanelOpen(false))}
            </Panel>
          </>
        ) : null}
      </Group>
    </WorkspaceLinksContext.Provider>
  );
}
