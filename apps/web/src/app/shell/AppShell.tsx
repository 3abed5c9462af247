import { Menu as MenuIcon, X } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { Outlet, useLocation } from "react-router";
import { Logo } from "../../components/ui/Logo.tsx";
import { BudgetBanner } from "../../features/budgets/BudgetBanner.tsx";
import { cn } from "../../lib/cn.ts";
import { SidebarContent } from "./Sidebar.tsx";

/** Sidebar on wide screens; a top bar with a drawer below the lg breakpoint. */
export function AppShell() {
  const [drawerOpen, setDrawerOpen] = useState(false);
  const drawerRef = useRef<HTMLDialogElement>(null);
  const location = useLocation();
  // The studio pages fill the viewport and scroll inside (the conversation, the sessions column).
  const fullBleed = location.pathname === "/" || location.pathname.startsWith("/sessions/");
  // The usage ledger is a wide table: it gets the room large screens have.
  const wide = location.pathname === "/usage";

  useEffect(() => {
    const drawer = drawerRef.current;
    if (!drawer) return;
    if (drawerOpen && !drawer.open) drawer.showModal();
    if (!drawerOpen && drawer.open) drawer.close();
  }, [drawerOpen]);

  // Following a link inside the drawer closes it.
  useEffect(() => setDrawerOpen(false), [location.pathname]);

  return (
    <div className="min-h-dvh lg:grid lg:grid-cols-[248px_minmax(0,1fr)]">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:top-3 focus:left-3 focus:z-50 focus:rounded-md focus:bg-surface focus:px-3 focus:py-2 focus:shadow-pop"
      >
        Skip to content
      </a>
      <aside className="hidden border-r border-line bg-surface-muted/50 lg:block">
        <div className="sticky top-0 h-dvh">
          <SidebarContent />
        </div>
      </aside>

      <div className={cn("flex min-w-0 flex-col", fullBleed && "h-dvh")}>
        <header className="sticky top-0 z-30 flex h-14 items-center gap-3 border-b border-line bg-canvas/85 px-4 backdrop-blur lg:hidden">
          <button
            type="button"
            onClick={() => setDrawerOpen(true)}
            className="-ml-1.5 rounded-lg p-1.5 text-fg-muted hover:bg-surface-hover hover:text-fg"
            aria-label="Open navigation"
            aria-expanded={drawerOpen}
          >
            <MenuIcon className="size-5" aria-hidden="true" />
          </button>
          <Logo />
        </header>
        {/* A budget covering the person is nearly or fully spent: above every page, sessions included. */}
        <BudgetBanner />
        <main
          id="main"
          tabIndex={-1}
          className={cn(
            "w-full flex-1 outline-none",
            fullBleed
              ? "min-h-0"
              : cn("mx-auto px-4 py-6 sm:px-8 sm:py-10", wide ? "max-w-7xl" : "max-w-5xl"),
          )}
        >
          <Outlet />
        </main>
      </div>

      <dialog
        ref={drawerRef}
        aria-label="Navigation"
        onClose={() => setDrawerOpen(false)}
        onMouseDown={(event) => {
          if (event.target === drawerRef.current) {
            const box = drawerRef.current.getBoundingClientRect();
            if (event.clientX > box.right) setDrawerOpen(false);
          }
        }}
        className="m-0 h-dvh max-h-none w-[min(20rem,85vw)] max-w-none border-r border-line bg-surface p-0 text-fg open:animate-slide-in-left lg:hidden"
      >
        {drawerOpen ? (
          <div className="flex h-full flex-col">
            <div className="flex items-center justify-between px-4 pt-4">
              <Logo />
              <button
                type="button"
                onClick={() => setDrawerOpen(false)}
                className="rounded-lg p-1.5 text-fg-muted hover:bg-surface-hover hover:text-fg"
                aria-label="Close navigation"
              >
                <X className="size-5" aria-hidden="true" />
              </button>
            </div>
            <div className="min-h-0 flex-1">
              <SidebarContent onNavigate={() => setDrawerOpen(false)} />
            </div>
          </div>
        ) : null}
      </dialog>
    </div>
  );
}
