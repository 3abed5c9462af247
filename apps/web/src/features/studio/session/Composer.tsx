import { ArrowUp, Play, Square } from "lucide-react";
import { type KeyboardEvent, useEffect, useId, useRef } from "react";
import { Button } from "../../../components/ui/Button.tsx";
import { cn } from "../../../lib/cn.ts";

export interface ComposerProps {
  value: string;
  onChange: (value: string) => void;
  onSend: () => void;
  /** Cancels the running turn; absent when no turn runs. */
  onCancel?: (() => void) | undefined;
  cancelling?: boolean;
  sending?: boolean;
  /** Only a stopped (or failed) session disables the input; a dropped stream never does. */
  stopped?: boolean;
  /** What the disabled input says; defaults to the stopped wording. */
  stoppedText?: string;
  onResume?: () => void;
  resuming?: boolean;
  error?: string | null;
  hint?: string;
  label?: string;
  placeholder?: string;
}

/** The message box: Enter sends, Shift+Enter adds a line, Escape cancels a running turn. */
export function Composer(props: ComposerProps) {
  const { value, onChange, onSend, onCancel, stopped = false } = props;
  const ref = useRef<HTMLTextAreaElement>(null);
  const hintId = useId();
  const errorId = useId();

  // Grows with its content up to a limit, then scrolls.
  useEffect(() => {
    const area = ref.current;
    if (!area) return;
    area.style.height = "auto";
    area.style.height = `${Math.min(area.scrollHeight, 240)}px`;
  }, [value]);

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      if (value.trim() && !props.sending) onSend();
    } else if (event.key === "Escape" && onCancel) {
      event.preventDefault();
      onCancel();
    }
  };

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (value.trim() && !stopped) onSend();
      }}
      className={cn(
        "rounded-xl border border-line shadow-soft focus-within:border-accent focus-within:ring-3 focus-within:ring-ring/20",
        stopped ? "bg-surface-muted" : "bg-surface",
      )}
    >
      <label htmlFor={`${hintId}-input`} className="sr-only">
        {props.label ?? "Message the agent"}
      </label>
      <textarea
        ref={ref}
        id={`${hintId}-input`}
        rows={1}
        value={value}
        disabled={stopped}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={onKeyDown}
        placeholder={
          stopped
            ? (props.stoppedText ?? "This session is stopped. Resume it to keep working.")
            : (props.placeholder ?? "Ask the agent to do something…")
        }
        aria-describedby={cn(hintId, props.error ? errorId : undefined)}
        className="block max-h-60 min-h-11 w-full resize-none bg-transparent px-3.5 pt-3 pb-1 text-sm text-fg outline-none placeholder:text-fg-muted disabled:cursor-not-allowed"
      />
      <div className="flex items-center justify-between gap-2 px-2 pb-2">
        <p id={hintId} className="truncate pl-1.5 text-xs text-fg-muted">
          {stopped
            ? "Stopped sessions keep their history."
            : (props.hint ?? (
                <>
                  <kbd className="font-sans">Enter</kbd> to send ·{" "}
                  <kbd className="font-sans">Shift+Enter</kbd> for a new line
                  {onCancel ? " · Esc to cancel the turn" : ""}
                </>
              ))}
        </p>
        <div className="flex shrink-0 items-center gap-1.5">
          {stopped && props.onResume ? (
            <Button size="sm" icon={<Play />} pending={props.resuming} onClick={props.onResume}>
              Resume session
            </Button>
          ) : null}
          {onCancel && !stopped ? (
            <Button
              size="sm"
              variant="secondary"
              icon={<Square />}
              pending={props.cancelling}
              onClick={onCancel}
            >
              Cancel turn
            </Button>
          ) : null}
          {stopped ? null : (
            <Button
              type="submit"
              size="sm"
              icon={<ArrowUp />}
              pending={props.sending}
              disabled={!value.trim()}
            >
              Send
            </Button>
          )}
        </div>
      </div>
      {props.error ? (
        <p id={errorId} role="alert" className="px-3.5 pb-2.5 text-[13px] text-danger-soft-fg">
          {props.error}
        </p>
      ) : null}
    </form>
  );
}
