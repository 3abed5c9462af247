import { PanelLeft } from "lucide-react";
import { useState } from "react";
import { Dialog } from "../../../components/ui/Dialog.tsx";
import { SessionsList } from "./SessionsList.tsx";

/** Below the xl breakpoint the sessions column folds into a dialog opened from the page header. */
export function SessionsDrawerButton({ withLabel = false }: { withLabel?: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        aria-label={withLabel ? undefined : "Show sessions"}
        className="-ml-1 inline-flex items-center gap-1.5 rounded-lg p-1.5 text-[13px] font-medium text-fg-muted hover:bg-surface-hover hover:text-fg xl:hidden"
      >
        <PanelLeft className="size-4.5" aria-hidden="true" />
        {withLabel ? "Your sessions" : null}
      </button>
      <Dialog open={open} onClose={() => setOpen(false)} title="Sessions" className="max-w-sm">
        <div className="-mx-5 -my-4 h-[min(70dvh,32rem)]">
          {open ? <SessionsList onNavigate={() => setOpen(false)} /> : null}
        </div>
      </Dialog>
    </>
  );
}
