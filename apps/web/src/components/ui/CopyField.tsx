import { Check, Copy } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { copyText } from "../../lib/clipboard.ts";
import { Button } from "./Button.tsx";
import { Field } from "./Field.tsx";
import { Input } from "./Input.tsx";

export interface CopyFieldProps {
  label: string;
  /** Accessible name of the button, e.g. "Copy invitation link". */
  copyLabel: string;
  value: string;
  hint?: string;
  monospace?: boolean;
  className?: string | undefined;
}

/** A read-only value with a Copy button, e.g. an invitation link or a freshly created token. */
export function CopyField({ label, copyLabel, value, hint, monospace = true, className }: CopyFieldProps) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2000);
    return () => clearTimeout(timer);
  }, [state]);

  return (
    <Field
      label={label}
      hint={state === "failed" ? "Couldn't copy. Select the text and copy it yourself." : hint}
      className={className}
    >
      <div className="flex gap-2">
        <div className="min-w-0 flex-1">
          <Input
            ref={inputRef}
            readOnly
            value={value}
            onFocus={(event) => event.currentTarget.select()}
            monospace={monospace}
          />
        </div>
        <Button
          variant="secondary"
          icon={state === "copied" ? <Check /> : <Copy />}
          onClick={async () => setState((await copyText(value, inputRef.current)) ? "copied" : "failed")}
          aria-label={copyLabel}
        >
          <span aria-hidden="true">{state === "copied" ? "Copied" : "Copy"}</span>
        </Button>
      </div>
      <span className="sr-only" aria-live="polite">
        {state === "copied" ? "Copied to clipboard" : ""}
      </span>
    </Field>
  );
}
