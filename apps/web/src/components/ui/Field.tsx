import { createContext, type ReactNode, useContext, useId } from "react";
import { cn } from "../../lib/cn.ts";

interface FieldContextValue {
  id: string;
  describedBy: string | undefined;
  invalid: boolean;
}

const FieldContext = createContext<FieldContextValue | null>(null);

/** Controls inside a Field pick up its id, description and error state from here. */
export function useFieldControl() {
  return useContext(FieldContext);
}

export interface FieldProps {
  label: ReactNode;
  children: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  className?: string;
  /** Visually hide the label (it stays the control's accessible name). */
  hideLabel?: boolean;
}

export function Field({ label, hint, error, children, className, hideLabel }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(" ") || undefined;
  return (
    <FieldContext.Provider value={{ id, describedBy, invalid: Boolean(error) }}>
      <div className={cn("flex flex-col gap-1.5", className)}>
        <label htmlFor={id} className={cn("text-[13px] font-medium text-fg", hideLabel && "sr-only")}>
          {label}
        </label>
        {children}
        {error ? (
          <p id={errorId} className="text-[13px] text-danger-soft-fg">
            {error}
          </p>
        ) : null}
        {hint && !error ? (
          <p id={hintId} className="text-[13px] text-fg-muted">
            {hint}
          </p>
        ) : null}
      </div>
    </FieldContext.Provider>
  );
}
