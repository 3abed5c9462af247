import { useQueries } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { ChevronRight, File, FileSymlink, Folder, FolderOpen } from "lucide-react";
import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from "react";
import { Input } from "../../../../components/ui/Input.tsx";
import { PageSpinner } from "../../../../components/ui/Spinner.tsx";
import { cn } from "../../../../lib/cn.ts";
import { useTRPC } from "../../../../lib/trpc.ts";
import { expandTo, type Listings, parentRowIndex, type TreeRow, visibleRows } from "./tree-state.ts";
import type { WorkspacePanelProps } from "./WorkspacePanel.tsx";
import { ChangeMark, WorkspaceError } from "./WorkspaceStates.tsx";
import { parentOf } from "./workspace-paths.ts";
import type { FolderListing, TreeEntry } from "./workspace-types.ts";

const ROW_HEIGHT = 28;

/** Open folders are kept per session for the tab's life, so a reload shows the same tree. */
function useExpanded(sessionId: string) {
  const key = `studio.workspaceTree.${sessionId}`;
  const [expanded, setExpanded] = useState<Set<string>>(() => {
    try {
      const saved = JSON.parse(sessionStorage.getItem(key) ?? "[]");
      return new Set(Array.isArray(saved) ? saved.filter((item) => typeof item === "string") : []);
    } catch {
      return new Set();
    }
  });
  useEffect(() => {
    try {
      sessionStorage.setItem(key, JSON.stringify([...expanded]));
    } catch {
      // Not remembered: the tree still works.
    }
  }, [key, expanded]);
  return [expanded, setExpanded] as const;
}

/** Folders to list: the root and every open folder whose own parents are open (lazily, no walking). */
function foldersShown(expanded: ReadonlySet<string>): string[] {
  const shown = (folder: string): boolean =>
    folder === "" || (expanded.has(folder) && shown(parentOf(folder)));
  return ["", ...[...expanded].filter((folder) => folder !== "" && shown(folder))];
}

export function FilesView({ sessionId, selection, select, onResume, resuming }: WorkspacePanelProps) {
  const trpc = useTRPC();
  const treeId = useId();
  const [expanded, setExpanded] = useExpanded(sessionId);
  const [filter, setFilter] = useState("");
  const folders = useMemo(() => foldersShown(expanded), [expanded]);
  const results = useQueries({
    queries: folders.map((path) =>
      trpc.workspace.list.queryOptions({ sessionId, path }, { retry: false, staleTime: 5_000 }),
    ),
  });
  const root = results[0];
  const { listings, failed } = useMemo(() => {
    const listings = new Map<string, FolderListing>();
    const failed = new Set<string>();
    results.forEach((result, index) => {
      const folder = folders[index] ?? "";
      if (result.data) listings.set(folder, result.data as FolderListing);
      else if (result.isError) failed.add(folder);
    });
    return { listings: listings as Listings, failed };
    // The results array is new every render; its data objects are stable between fetches.
  }, [folders, ...results.map((result) => result.data), ...results.map((result) => result.isError)]);
  const rows = useMemo(
    () => visibleRows(listings, expanded, filter, failed),
    [listings, expanded, filter, failed],
  );

  // A file opened from elsewhere (a tool card, the address) is shown inside its open folders.
  useEffect(() => {
    if (selection.file) setExpanded((current) => expandTo(current, selection.file ?? ""));
  }, [selection.file, setExpanded]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const [active, setActive] = useState(0);
  const activeIndex = Math.min(active, Math.max(rows.length - 1, 0));

  const toggle = (path: string, open?: boolean) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (open ?? !next.has(path)) next.add(path);
      else next.delete(path);
      return next;
    });
  const openEntry = (entry: TreeEntry) => {
    if (entry.kind === "directory") toggle(entry.path);
    else if (entry.change === "deleted") select({ view: "changes", change: entry.path });
    else select({ view: "file", file: entry.path });
  };
  const moveTo = (index: number) => {
    if (index < 0 || index >= rows.length) return;
    setActive(index);
    virtualizer.scrollToIndex(index);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const row = rows[activeIndex];
    const entry = row?.type === "entry" ? row.entry : null;
    const handled = () => event.preventDefault();
    switch (event.key) {
      case "ArrowDown":
        handled();
        moveTo(activeIndex + 1);
        break;
      case "ArrowUp":
        handled();
        moveTo(activeIndex - 1);
        break;
      case "Home":
        handled();
        moveTo(0);
        break;
      case "End":
        handled();
        moveTo(rows.length - 1);
        break;
      case "ArrowRight":
        handled();
        if (entry?.kind === "directory" && row?.type === "entry") {
          if (!row.expanded) toggle(entry.path, true);
          else moveTo(activeIndex + 1);
        }
        break;
      case "ArrowLeft":
        handled();
        if (entry?.kind === "directory" && row?.type === "entry" && row.expanded) toggle(entry.path, false);
        else moveTo(parentRowIndex(rows, activeIndex));
        break;
      case "Enter":
      case " ":
        handled();
        if (entry) openEntry(entry);
        break;
    }
  };

  if (!root || root.isPending) return <PageSpinner label="Loading files" />;
  if (root.isError) {
    return (
      <WorkspaceError
        error={root.error}
        onRetry={() => void root.refetch()}
        onResume={onResume}
        resuming={resuming}
      />
    );
  }

  const rowId = (index: number) => `${treeId}-row-${index}`;
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="border-b border-line p-2">
        <Input
          type="search"
          controlSize="sm"
          aria-label="Filter files by name"
          placeholder="Filter by name (opened folders)"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        />
      </div>
      <div
        ref={scrollRef}
        role="tree"
        aria-label="Workspace files"
        tabIndex={0}
        aria-activedescendant={rows.length > 0 ? rowId(activeIndex) : undefined}
        onKeyDown={onKeyDown}
        className="workspace-tree group/tree min-h-0 flex-1 overflow-auto py-1 outline-none focus-visible:ring-2 focus-visible:ring-ring/40 focus-visible:ring-inset"
      >
        {rows.length === 0 ? (
          <p className="px-3 py-6 text-center text-[13px] text-fg-muted">
            {filter ? "No opened folder holds a matching name." : "The workspace is empty."}
          </p>
        ) : (
          <div className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index] as TreeRow;
              return (
                <TreeRowView
                  key={row.key}
                  id={rowId(item.index)}
                  row={row}
                  top={item.start}
                  active={item.index === activeIndex}
                  selected={row.type === "entry" && row.entry.path === selection.file}
                  onClick={() => {
                    setActive(item.index);
                    // Keys go on working from the row clicked: the tree, not the row, holds focus.
                    scrollRef.current?.focus({ preventScroll: true });
                    if (row.type === "entry") openEntry(row.entry);
                  }}
                />
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}

const placeholderText = {
  loading: "Loading…",
  failed: "Couldn't list this folder.",
  truncated: "More entries than can be listed here.",
  empty: "Empty folder",
};

function TreeRowView({
  id,
  row,
  top,
  active,
  selected,
  onClick,
}: {
  id: string;
  row: TreeRow;
  top: number;
  active: boolean;
  selected: boolean;
  onClick: () => void;
}) {
  const style = { transform: `translateY(${top}px)`, height: ROW_HEIGHT, paddingLeft: 8 + row.depth * 14 };
  const base = cn(
    "absolute inset-x-0 top-0 flex items-center gap-1.5 pr-2 text-[13px] select-none",
    active &&
      "group-focus-visible/tree:outline-2 group-focus-visible/tree:-outline-offset-2 group-focus-visible/tree:outline-ring",
  );
  if (row.type !== "entry") {
    return (
      <div
        id={id}
        role="treeitem"
        aria-level={row.depth + 1}
        aria-disabled="true"
        aria-selected={false}
        tabIndex={-1}
        className={cn(base, "pl-6 text-xs text-fg-subtle italic")}
        style={{ ...style, paddingLeft: 26 + row.depth * 14 }}
      >
        {placeholderText[row.type]}
      </div>
    );
  }
  const { entry, expanded } = row;
  const folder = entry.kind === "directory";
  const Icon = folder ? (expanded ? FolderOpen : Folder) : entry.kind === "symlink" ? FileSymlink : File;
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the tree handles keys for its active row
    <div
      id={id}
      role="treeitem"
      aria-level={row.depth + 1}
      aria-expanded={folder ? expanded : undefined}
      aria-selected={selected}
      data-path={entry.path}
      data-change={entry.change ?? undefined}
      tabIndex={-1}
      onClick={onClick}
      title={entry.ignored ? `${entry.path} (ignored)` : entry.path}
      className={cn(
        base,
        "tree-entry cursor-pointer hover:bg-surface-hover",
        selected ? "bg-accent-soft text-fg" : "text-fg",
        entry.ignored && "opacity-55",
      )}
      style={style}
    >
      <ChevronRight
        aria-hidden="true"
        className={cn(
          "size-3.5 shrink-0 text-fg-muted transition-transform",
          folder ? "" : "invisible",
          expanded && "rotate-90",
        )}
      />
      <Icon
        aria-hidden="true"
        className={cn("size-4 shrink-0", folder ? "text-accent-soft-fg" : "text-fg-muted")}
      />
      <span
        className={cn(
          "min-w-0 flex-1 truncate",
          entry.change === "deleted" && "text-fg-muted line-through",
          entry.change === "added" && "text-success-soft-fg",
          entry.change === "modified" && !folder && "text-warning-soft-fg",
        )}
      >
        {entry.name}
      </span>
      {entry.ignored ? <span className="sr-only">(ignored)</span> : null}
      {entry.change && !folder ? <ChangeMark change={entry.change} /> : null}
      {entry.change && folder ? (
        <span
          aria-hidden="true"
          className="size-1.5 shrink-0 rounded-full bg-warning-soft-fg"
          title="Holds changes"
        />
      ) : null}
      {entry.change && folder ? <span className="sr-only">(holds changes)</span> : null}
    </div>
  );
}
