import { Outlet } from "react-router";
import { SessionsList } from "./sessions-list/SessionsList.tsx";

/** The studio's two columns: the organisation's sessions (xl and up) beside the page. */
export function StudioLayout() {
  return (
    <div className="flex h-full min-h-0">
      <aside
        aria-label="Sessions"
        className="hidden w-72 shrink-0 border-r border-line bg-surface-muted/30 xl:block"
      >
        <SessionsList />
      </aside>
      <div className="min-w-0 flex-1">
        <Outlet />
      </div>
    </div>
  );
}
