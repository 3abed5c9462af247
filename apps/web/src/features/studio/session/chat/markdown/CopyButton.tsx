import { Check, Copy } from "lucide-react";
import { useEffect, useState } from "react";
import { copyText } from "../../../../../lib/clipboard.ts";
import { cn } from "../../../../../lib/cn.ts";

/** A small icon button that copies `text` and says so. */
export function CopyButton({ text, label, className }: { text: string; label: string; className?: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1800);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      aria-label={copied ? "Copied" : label}
      title={label}
      onClick={async () => setCopied(await copyText(text))}
      className={cn(
        "inline-flex h-7 items-center gap-1 rounded-md px-1.5 text-xs text-fg-muted transition-colors hover:bg-surface-hover hover:text-fg",
        className,
      )}
    >
      {copied ? (
        <Check className="size-3.5" aria-hidden="true" />
      ) : (
        <Copy className="size-3.5" aria-hidden="true" />
      )}
      <span aria-hidden="true">{copied ? "Copied" : "Copy"}</span>
    </button>
  );
}
