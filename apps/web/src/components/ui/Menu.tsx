import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { Check } from "lucide-react";
import type { ReactNode } from "react";
import { cn } from "../../lib/cn.ts";

export interface MenuProps {
  /**
   * Accessible name of the trigger button. Leave it out when the trigger's own text names it (a
   * label that hides visible text fails WCAG 2.5.3).
   */
  label?: string;
  /** Accessible name of the opened list; defaults to the trigger's. */
  menuLabel?: string;
  trigger: ReactNode;
  triggerClassName?: string;
  children: ReactNode;
  align?: "start" | "end";
  side?: "bottom" | "top";
  /** `w-(--radix-dropdown-menu-trigger-width)` makes the list as wide as its trigger. */
  menuClassName?: string;
}

/**
 * A button that opens a list of actions, built on Radix's dropdown menu: arrow keys and typeahead
 * move, Escape closes and focus returns to the button; the list is portalled and flips or shifts
 * to stay on screen.
 */
export function Menu({
  label,
  menuLabel,
  trigger,
  triggerClassName,
  children,
  align = "start",
  side = "bottom",
  menuClassName,
}: MenuProps) {
  const name = menuLabel ?? label;
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger aria-label={label} className={triggerClassName}>
        {trigger}
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          // Radix names the list after its trigger; an explicit name replaces that.
          {...(name ? { "aria-label": name, "aria-labelledby": undefined } : {})}
          side={side}
          align={align}
          sideOffset={6}
          collisionPadding={8}
          className={cn(
            "z-40 max-h-(--radix-dropdown-menu-content-available-height) min-w-56 animate-pop-in overflow-y-auto rounded-xl border border-line bg-surface p-1 shadow-pop outline-none",
            menuClassName,
          )}
        >
          {children}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}

export interface MenuItemProps {
  children: ReactNode;
  onSelect: () => void;
  icon?: ReactNode;
  /** For choices such as the active organisation: rendered as a checked radio item. */
  checked?: boolean;
  tone?: "default" | "danger";
  disabled?: boolean;
}

export function MenuItem({ children, onSelect, icon, checked, tone = "default", disabled }: MenuItemProps) {
  return (
    <DropdownMenu.Item
      {...(checked === undefined ? {} : { role: "menuitemradio", "aria-checked": checked })}
      disabled={disabled}
      onSelect={() => onSelect()}
      className={cn(
        "flex w-full cursor-pointer items-center gap-2.5 rounded-lg px-2.5 py-2 text-left text-[13px] outline-none select-none",
        "data-highlighted:bg-surface-hover data-disabled:cursor-not-allowed data-disabled:opacity-50",
        tone === "danger" ? "text-danger-soft-fg" : "text-fg",
        "[&>svg]:size-4 [&>svg]:shrink-0 [&>svg]:text-fg-muted",
      )}
    >
      {icon}
      <span className="min-w-0 flex-1">{children}</span>
      {checked ? <Check className="text-accent-soft-fg!" aria-hidden="true" /> : null}
    </DropdownMenu.Item>
  );
}

export function MenuSeparator() {
  return <DropdownMenu.Separator className="-mx-1 my-1 h-px bg-line" />;
}

export function MenuLabel({ children }: { children: ReactNode }) {
  return (
    <DropdownMenu.Label className="px-2.5 pt-2 pb-1 text-xs font-medium text-fg-subtle">
      {children}
    </DropdownMenu.Label>
  );
}
