import { memo } from "react";
import { cn } from "../../../../../lib/cn.ts";
import type { ToolItem } from "../chat-types.ts";
import { DiffView } from "./DiffView.tsx";
import { ToolPermission } from "./PermissionCard.tsx";
import { toolIcon, toolView } from "./tool-display.ts";
import { ContentBlocks, Locations, Plain, Section, Terminal, ToolStatus } from "./tool-parts.tsx";

/**
 * A tool call, always expanded: what it ran, the permission it asked for (answered here, between
 * what it will do and what came back), what came back, which files it touched.
 */
export const ToolCard = memo(function ToolCard({ item }: { item: ToolItem }) {
  const Icon = toolIcon(item.toolKind);
  const {
    command,
    description,
    inputDiff,
    inputJson: json,
    output,
    fallbackOutput: fallback,
    shell,
    showsInput,
  } = toolView(item);
  const waiting = item.permissions.some((permission) => permission.resolution === null);
  return (
    <article
      aria-label={`Tool call: ${item.title}`}
      data-status={item.status}
      className={cn(
        "tool-card rounded-xl border bg-surface shadow-soft",
        waiting
          ? "border-warning-soft-fg/40 ring-2 ring-warning-soft-fg/10"
          : item.status === "failed"
            ? "border-danger/30"
            : "border-line",
      )}
    >
      <header className="flex items-start gap-2.5 px-3.5 py-2.5">
        <span className="mt-0.5 flex size-7 shrink-0 items-center justify-center rounded-lg bg-surface-muted text-fg-muted">
          <Icon className="size-4" aria-hidden="true" />
        </span>
        <div className="min-w-0 flex-1">
          <p className="font-mono text-[13px] break-words text-fg">{item.title}</p>
          <p className="text-xs text-fg-muted">{description ?? item.toolKind}</p>
        </div>
        <ToolStatus status={item.status} />
      </header>
      <div className="space-y-3 border-t border-line px-3.5 py-3 empty:hidden">
        {command ? (
          <Section title="Command">
            <Terminal label="Command">
              <span className="text-[oklch(0.75_0.12_150)] select-none">$ </span>
              {command}
            </Terminal>
          </Section>
        ) : null}
        {inputDiff ? (
          <Section title="Changes">
            <DiffView path={inputDiff.path} oldText={inputDiff.oldText} newText={inputDiff.newText} />
          </Section>
        ) : null}
        {json ? (
          <Section title="Input">
            <Plain>{json}</Plain>
          </Section>
        ) : null}
        {item.permissions.map((permission) => (
          // The request's own content (often the same diff) only when the card shows nothing of the input.
          <ToolPermission key={permission.id} item={permission} showContent={!showsInput} />
        ))}
        {output.length > 0 ? (
          <Section title="Output">
            <ContentBlocks content={output} terminal={shell} />
          </Section>
        ) : null}
        {fallback ? (
          <Section title={item.status === "failed" ? "Error" : "Output"}>
            {shell ? (
              <Terminal label="Command output">{fallback}</Terminal>
            ) : (
              <ContentBlocks content={[{ type: "text", text: fallback }]} terminal={false} />
            )}
          </Section>
        ) : null}
        <Locations locations={item.locations} />
      </div>
    </article>
  );
});
