import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef } from "react";
import { highlight } from "../chat/markdown/highlight.ts";
import { splitHighlightedLines } from "./diff-rows.ts";
import { languageOf } from "./workspace-paths.ts";

const LINE_HEIGHT = 20;
/** Above this, highlighting would stall the page for little gain: plain text. */
export const HIGHLIGHT_LIMIT = 256 * 1024;

/** One file's lines, highlighted when highlight.js knows the language (null where it does not). */
export function highlightedLines(path: string, text: string): string[] | null {
  if (text.length > HIGHLIGHT_LIMIT) return null;
  const html = highlight(text, languageOf(path));
  return html === null ? null : splitHighlightedLines(html);
}

export function textLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length > 1 && lines.at(-1) === "") lines.pop();
  return lines;
}

/** A file's content with line numbers: virtualised, so a 1 MB file scrolls as fast as a small one. */
export function CodeLines({ path, text }: { path: string; text: string }) {
  const lines = useMemo(() => textLines(text), [text]);
  const html = useMemo(() => highlightedLines(path, text), [path, text]);
  const scrollRef = useRef<HTMLElement>(null);
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => LINE_HEIGHT,
    overscan: 30,
  });
  const gutter = `${String(lines.length).length + 1}ch`;
  return (
    <section
      ref={scrollRef}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable content must be reachable by keyboard
      tabIndex={0}
      aria-label={`Content of ${path}`}
      className="file-content min-h-0 flex-1 overflow-auto bg-surface font-mono text-[12px] outline-none focus-visible:ring-2 focus-visible:ring-ring/40 focus-visible:ring-inset"
    >
      <div className="relative min-w-max" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => (
          <div
            key={item.index}
            className="absolute top-0 left-0 flex w-full whitespace-pre"
            style={{
              transform: `translateY(${item.start}px)`,
              height: LINE_HEIGHT,
              lineHeight: `${LINE_HEIGHT}px`,
            }}
          >
            <span
              aria-hidden="true"
              className="sticky left-0 shrink-0 bg-surface-muted pr-2 text-right text-fg-subtle select-none"
              style={{ width: gutter, minWidth: gutter, boxSizing: "content-box", paddingLeft: 8 }}
            >
              {item.index + 1}
            </span>
            {html ? (
              <code className="hljs px-3" dangerouslySetInnerHTML={{ __html: html[item.index] ?? "" }} />
            ) : (
              <code className="px-3">{lines[item.index]}</code>
            )}
          </div>
        ))}
      </div>
    </section>
  );
}
