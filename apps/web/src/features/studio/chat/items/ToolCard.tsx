import { CircleCheck, CircleX, MapPin } from "lucide-react";
import { memo, type ReactNode } from "react";
import { Badge, type BadgeTone } from "../../../../components/ui/Badge.tsx";
import { ScrollArea } from "../../../../components/ui/ScrollArea.tsx";
import { Spinner } from "../../../../components/ui/Spinner.tsx";
import { cn } from "../../../../lib/cn.ts";
import type { ToolCallStatus, ToolContent, ToolItem, ToolLocation } from "../chat-types.ts";
import { DiffView } from "./DiffView.tsx";
import {
  commandOf,
  descriptionOf,
  diffFromInput,
  inputJson,
  outputText,
  statusLabels,
  toolIcon,
} from "./tool-display.ts";

const tones: Record<ToolCallStatus, BadgeTone> = {
  pending: "neutral",
  in_progress: "accent",
  completed: "success",
  failed: "danger",
};

export function ToolStatus({ status }: { status: ToolCallStatus }) {
  return (
    <Badge tone={tones[status]} className="tool-status">
      {status === "pending" || status === "in_progress" ? <Spinner className="size-3" /> : null}
      {status === "completed" ? <CircleCheck className="size-3" aria-hidden="true" /> : null}
      {status === "failed" ? <CircleX className="size-3" aria-hidden="true" /> : null}
      {statusLabels[status]}
    </Badge>
  );
}

export function Terminal({ children, label }: { children: ReactNode; label: string }) {
  return (
    <ScrollArea className="terminal max-h-72 rounded-lg bg-[oklch(0.2_0.01_270)] dark:bg-[oklch(0.13_0.005_270)]">
      <pre
        data-label={label}
        className="px-3 py-2 font-mono text-[12px] leading-5 whitespace-pre-wrap break-words text-[oklch(0.92_0.01_270)]"
      >
        {children}
      </pre>
    </ScrollArea>
  );
}

function Plain({ children }: { children: ReactNode }) {
  return (
    <ScrollArea className="max-h-72 rounded-lg bg-surface-muted">
      <pre className="px-3 py-2 font-mono text-[12px] leading-5 whitespace-pre-wrap break-words text-fg">
        {children}
      </pre>
    </ScrollArea>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="space-y-1.5">
      <p className="text-[11px] font-medium tracking-wide text-fg-muted uppercase">{title}</p>
      {children}
    </div>
  );
}

export function ContentBlocks({ content, terminal }: { content: ToolContent[]; terminal: boolean }) {
  return content.map((block, index) => {
    if (block.type === "diff") {
      return <DiffView key={index} path={block.path} oldText={block.oldText} newText={block.newText} />;
    }
    if (block.type === "terminal") {
      return (
        <p key={index} className="text-xs text-fg-muted">
          Terminal {block.terminalId}
        </p>
      );
    }
    return terminal ? (
      <Terminal key={index} label="Command output">
        {block.text}
      </Terminal>
    ) : (
      <Plain key={index}>{block.text}</Plain>
    );
  });
}

export function Locations({ locations }: { locations: ToolLocation[] }) {
  if (locations.length === 0) return null;
  return (
    <ul aria-label="Files" className="flex flex-wrap gap-1.5">
      {locations.map((location) => (
        <li
          key={`${location.path}:${location.line ?? ""}`}
          className="inline-flex max-w-full items-center gap-1 rounded-md border border-line bg-surface-muted px-1.5 py-0.5 font-mono text-[11px] text-fg-muted"
        >
          <MapPin className="size-3 shrink-0" aria-hidden="true" />
          <span className="truncate">
            {location.path}
            {location.line ? `:${location.line}` : ""}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** A tool call, always expanded: what it ran, what came back, which files it touched. */
export const ToolCard = memo(function ToolCard({ item }: { item: ToolItem }) {
  const Icon = toolIcon(item.toolKind);
  const command = commandOf(item.rawInput);
  const description = descriptionOf(item.rawInput);
  const hasDiff = item.content.some((block) => block.type === "diff");
  const inputDiff = hasDiff ? null : diffFromInput(item.rawInput);
  const json = command || inputDiff ? null : inputJson(item.rawInput);
  const shell = item.toolKind === "execute" || command !== null;
  const fallback = item.content.length === 0 ? outputText(item.rawOutput) : null;
  return (
    <article
      aria-label={`Tool call: ${item.title}`}
      data-status={item.status}
      className={cn(
        "tool-card rounded-xl border bg-surface shadow-soft",
        item.status === "failed" ? "border-danger/30" : "border-line",
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
        {item.content.length > 0 ? (
          <Section title="Output">
            <ContentBlocks content={item.content} terminal={shell} />
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
