import { Check } from "lucide-react";
import {
  createContext,
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useId,
  useRef,
  useState,
} from "react";
import { cn } from "../../lib/cn.ts";

const MenuContext = createContext<{ close: (returnFocus?: boolean) => void } | null>(null);

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
  menuClassName?: string;
}

const itemSelector = '[role^="menuitem"]:not([aria-disabled="true"])';

/** A button that opens a list of actions: arrow keys move, Escape closes, focus returns to the button. */
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
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const menuId = useId();

  const close = useCallback((returnFocus = true) => {
    setOpen(false);
    if (returnFocus) buttonRef.current?.focus();
  }, []);

  useEffect(() => {
    if (!open) return;
    menuRef.current?.querySelector<HTMLElement>(itemSelector)?.focus();
    const onPointerDown = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) close(false);
    };
    document.addEventListener("pointerdown", onPointerDown);
    return () => document.removeEventListener("pointerdown", onPointerDown);
  }, [open, close]);

  const onMenuKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const items = Array.from(menuRef.current?.querySelectorAll<HTMLElement>(itemSelector) ?? []);
    const index = items.indexOf(document.activeElement as HTMLElement);
    const focus = (next: number) => items[(next + items.length) % items.length]?.focus();
    if (event.key === "ArrowDown") focus(index + 1);
    else if (event.key === "ArrowUp") focus(index - 1);
    else if (event.key === "Home") focus(0);
    else if (event.key === "End") focus(items.length - 1);
    else if (event.key === "Escape") close();
    else if (event.key === "Tab") close(false);
    else return;
    if (event.key !== "Tab") event.preventDefault();
  };

  return (
    <div ref={rootRef} className="relative">
      <button
        ref={buttonRef}
        type="button"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((value) => !value)}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            event.preventDefault();
            setOpen(true);
          }
        }}
        className={triggerClassName}
      >
        {trigger}
      </button>
      {open ? (
        <MenuContext.Provider value={{ close }}>
          <div
            ref={menuRef}
            id={menuId}
            role="menu"
            aria-label={menuLabel ?? label}
            tabIndex={-1}
            onKeyDown={onMenuKeyDown}
            className={cn(
              "absolute z-40 min-w-56 animate-pop-in rounded-xl border border-line bg-surface p-1 shadow-pop",
              align === "start" ? "left-0" : "right-0",
              side === "bottom" ? "top-full mt-1.5" : "bottom-full mb-1.5",
              menuClassName,
            )}
          >
            {children}
          </div>
        </MenuContext.Provider>
      ) : null}
    </div>
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
  const menu = useContext(MenuContext);
  return (
    <button
      type="button"
      {...(checked === undefined ? { role: "menuitem" } : { role: "menuitemradio", "aria-checked": checked })}
      aria-disabled={disabled || undefined}
      tabIndex={-1}
      onClick={() => {
        if (disabled) return;
        menu?.close();
        onSelect();
      }}
      className={cn(
        "flex w-full cursor-pointer items-center gap-2.5 rounded-lg px-2.5 py-2 text-left text-[13px] outline-none",
        "focus-visible:bg-surface-hover hover:bg-surface-hover aria-disabled:cursor-not-allowed aria-disabled:opacity-50",
        tone === "danger" ? "text-danger-soft-fg" : "text-fg",
        "[&>svg]:size-4 [&>svg]:shrink-0 [&>svg]:text-fg-muted",
      )}
    >
      {icon}
      <span className="min-w-0 flex-1">{children}</span>
      {checked ? <Check className="text-accent-soft-fg!" aria-hidden="true" /> : null}
    </button>
  );
}

export function MenuSeparator() {
  return <hr className="-mx-1 my-1 border-line" />;
}

export function MenuLabel({ children }: { children: ReactNode }) {
  return <div className="px-2.5 pt-2 pb-1 text-xs font-medium text-fg-subtle">{children}</div>;
}
