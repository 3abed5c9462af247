import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import type { WorkspaceView } from "./workspace-types.ts";

const VIEWS: readonly WorkspaceView[] = ["files", "file", "changes", "terminal", "previews"];

export interface WorkspaceSelection {
  view: WorkspaceView;
  /** The file shown in the File view. */
  file: string | null;
  /** The change whose diff the Changes view shows; null for the list. */
  change: string | null;
}

/**
 * What the panel shows, kept in the address (`?ws=file&file=src/a.ts`, `?ws=changes&change=…`):
 * a reload or a second tab with the same link shows the same view. Replaced, not pushed, so the
 * back button leaves the session rather than stepping through clicks in the panel.
 */
export function useWorkspaceSelection(): [WorkspaceSelection, (next: Partial<WorkspaceSelection>) => void] {
  const [params, setParams] = useSearchParams();
  const selection = useMemo<WorkspaceSelection>(() => {
    const view = params.get("ws");
    return {
      view: VIEWS.includes(view as WorkspaceView) ? (view as WorkspaceView) : "files",
      file: params.get("file") || null,
      change: params.get("change") || null,
    };
  }, [params]);
  const select = useCallback(
    (next: Partial<WorkspaceSelection>) =>
      setParams(
        (current) => {
          const params = new URLSearchParams(current);
          const apply = (key: string, value: string | null | undefined) => {
            if (value === undefined) return;
            if (value === null || value === "") params.delete(key);
            else params.set(key, value);
          };
          apply("ws", next.view);
          apply("file", next.file);
          apply("change", next.change);
          return params;
        },
        { replace: true },
      ),
    [setParams],
  );
  return [selection, select];
}
