import { PanelLeft } from "lucide-react";
import { useState } from "react";
import { Dialog } from "../../../components/ui/Dialog.tsx";
import { SessionsList } from "./SessionsList.tsx";

/** Below the xl breakpoint the sessions column folds into a dialog opened from the page header. */
export function SessionsDrawerButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        aria-label="Show sessions"
        className="-ml-1 rounded-lg p-1.5 text-fg-muted hover:bg-surface-hover hover:text-fg xl:hidden"
      >
        <PanelLeft className="size-4.5" aria-hidden="true" />
      </button>
      <Dialog open={open} onClose={() => setOpen(false)} title="Sessions" className="max-w-sm">
        <div className="-mx-5 -my-4 h-[min(70dvh,32rem)]">
          {open ? <SessionsList onNavigate={() => setOpen(false)} /> : null}
        </div>
      </Dialog>
    </>
  );
}
