import { memo, useMemo } from "react";
import { ScrollArea } from "../../../../../components/ui/ScrollArea.tsx";
import { CopyButton } from "./CopyButton.tsx";
import { highlight } from "./highlight.ts";

/** A fenced code block: language label, copy button, highlighted code that scrolls sideways. */
export const CodeBlock = memo(function CodeBlock({ code, language }: { code: string; language?: string }) {
  const html = useMemo(() => highlight(code, language?.toLowerCase()), [code, language]);
  return (
    <div className="code-block my-3 overflow-hidden rounded-lg border border-line bg-surface-muted">
      <div className="flex items-center justify-between border-b border-line py-0.5 pr-1 pl-3">
        <span className="font-mono text-[11px] text-fg-muted">{language || "text"}</span>
        <CopyButton text={code} label="Copy code" />
      </div>
      <ScrollArea>
        <pre className="px-3 py-2.5 font-mono text-[12.5px] leading-relaxed">
          {html === null ? (
            <code>{code}</code>
          ) : (
            <code className="hljs" dangerouslySetInnerHTML={{ __html: html }} />
          )}
        </pre>
      </ScrollArea>
    </div>
  );
});
