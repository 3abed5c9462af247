import type { ReactNode } from "react";
import { cn } from "../../lib/cn.ts";

/** A box that scrolls its content and takes keyboard focus, so it can be scrolled without a mouse. */
export function ScrollArea({ className, children }: { className?: string; children: ReactNode }) {
  return (
    <div
      // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable content must be reachable by keyboard
      tabIndex={0}
      className={cn("overflow-auto focus-visible:outline-offset-0", className)}
    >
      {children}
    </div>
  );
}
