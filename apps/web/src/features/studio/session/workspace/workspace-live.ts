// Which parts of the workspace panel a session's events make stale. Pure: the hook that invalidates
// react-query caches (use-workspace-live.ts) feeds it the chat state the page already reduces from
// the event stream, so no new server events and no polling are needed.
import type { ChatItem, ChatState } from "../chat/chat-types.ts";
import { foldersHolding, normalisePath } from "./workspace-paths.ts";

/** Tool kinds that change files: their completion refreshes the panel. */
const FILE_TOUCHING_KINDS = new Set(["edit", "delete", "move", "execute"]);

export interface WorkspaceRefresh {
  /** Folder listings to refetch, or "all" when the event may have touched anything. */
  folders: Set<string> | "all";
  /** File contents and diffs to refetch (the open ones): paths, or "all". */
  files: Set<string> | "all";
}

/** What has already been acted on, so each completion refreshes once. */
export interface WorkspaceTracker {
  settledTools: ReadonlySet<string>;
  turnId: string | null;
  pushes: number;
  status: ChatState["status"];
}

export const initialTracker: WorkspaceTracker = {
  settledTools: new Set(),
  turnId: null,
  pushes: 0,
  status: null,
};

function pathsOf(item: Extract<ChatItem, { kind: "tool" }>): string[] {
  const raw = [
    ...item.locations.map((location) => location.path),
    ...item.content.flatMap((block) => (block.type === "diff" ? [block.path] : [])),
  ];
  const paths = new Set<string>();
  for (const path of raw) {
    const normal = normalisePath(path);
    if (normal !== null) paths.add(normal);
  }
  return [...paths];
}

function merge(into: WorkspaceRefresh, from: WorkspaceRefresh): WorkspaceRefresh {
  const join = (a: Set<string> | "all", b: Set<string> | "all") =>
    a === "all" || b === "all" ? "all" : new Set([...a, ...b]);
  return { folders: join(into.folders, from.folders), files: join(into.files, from.files) };
}

/** The refresh a settled file-touching tool call asks for. */
export function refreshForTool(item: Extract<ChatItem, { kind: "tool" }>): WorkspaceRefresh | null {
  if (!FILE_TOUCHING_KINDS.has(item.toolKind)) return null;
  const paths = pathsOf(item);
  // A shell command can touch anything, and a tool that names no file may have touched any.
  if (item.toolKind === "execute" || paths.length === 0) return { folders: "all", files: "all" };
  const folders = new Set<string>();
  for (const path of paths) for (const folder of foldersHolding(path)) folders.add(folder);
  // A moved or deleted folder: its own listing too.
  for (const path of paths) folders.add(path);
  return { folders, files: new Set(paths) };
}

/**
 * Compares the chat state with what was already acted on. Returns the refresh to run (null when
 * nothing touching the workspace happened) and the tracker to keep. The changes list is refreshed
 * whenever the result is not null.
 */
export function workspaceRefreshFor(
  tracker: WorkspaceTracker,
  state: ChatState,
): { refresh: WorkspaceRefresh | null; tracker: WorkspaceTracker } {
  let refresh: WorkspaceRefresh | null = null;
  const add = (more: WorkspaceRefresh) => {
    refresh = refresh ? merge(refresh, more) : more;
  };
  let settled: Set<string> | null = null;
  let pushes = 0;
  for (const item of state.items) {
    if (item.kind === "git_pushed") pushes++;
    if (item.kind !== "tool" || (item.status !== "completed" && item.status !== "failed")) continue;
    if (tracker.settledTools.has(item.toolCallId)) continue;
    settled ??= new Set(tracker.settledTools);
    settled.add(item.toolCallId);
    const more = refreshForTool(item);
    if (more) add(more);
  }
  const turnId = state.turn?.turnId ?? null;
  // Any turn that ended: the agent may have written files in ways no tool call said.
  if (tracker.turnId !== null && tracker.turnId !== turnId) add({ folders: "all", files: "all" });
  // A push changes what is committed, so the change list; nothing in the tree moves.
  if (pushes > tracker.pushes) add({ folders: new Set(), files: new Set() });
  // Stopped, the workspace can no longer be read (the panel says so); resumed, it can again.
  if (tracker.status !== null && tracker.status !== state.status) add({ folders: "all", files: "all" });
  return {
    refresh,
    tracker: { settledTools: settled ?? tracker.settledTools, turnId, pushes, status: state.status },
  };
}
