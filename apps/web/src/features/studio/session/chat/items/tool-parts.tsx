// The pieces tool calls are shown with, shared by the tool card and the permission request.
import { CircleCheck, CircleX, MapPin } from "lucide-react";
import type { ReactNode } from "react";
import { Badge, type BadgeTone } from "../../../../../components/ui/Badge.tsx";
import { ScrollArea } from "../../../../../components/ui/ScrollArea.tsx";
import { Spinner } from "../../../../../components/ui/Spinner.tsx";
import { useWorkspaceLinks } from "../../workspace/workspace-links.ts";
import { normalisePath } from "../../workspace/workspace-paths.ts";
import type { ToolCallStatus, ToolContent, ToolLocation } from "../chat-types.ts";
import { DiffView } from "./DiffView.tsx";
import { statusLabels, terminalText } from "./tool-display.ts";

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

export function Plain({ children }: { children: ReactNode }) {
  return (
    <ScrollArea className="max-h-72 rounded-lg bg-surface-muted">
      <pre className="px-3 py-2 font-mono text-[12px] leading-5 whitespace-pre-wrap break-words text-fg">
        {children}
      </pre>
    </ScrollArea>
  );
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
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
        {terminalText(block.text)}
      </Terminal>
    ) : (
      <Plain key={index}>{block.text}</Plain>
    );
  });
}

export function Locations({ locations }: { locations: ToolLocation[] }) {
  const links = useWorkspaceLinks();
  if (locations.length === 0) return null;
  return (
    <ul aria-label="Files" className="flex flex-wrap gap-1.5">
      {locations.map((location) => {
        const label = `${location.path}${location.line ? `:${location.line}` : ""}`;
        // Paths inside the workspace open in its panel; others (outside it) are only shown.
        const inside = links !== null && normalisePath(location.path) !== null;
        return (
          <li key={label} className="max-w-full">
            {inside ? (
              <button
                type="button"
                onClick={() => links.openFile(location.path)}
                title={`Open ${location.path} in the workspace`}
                className="tool-location inline-flex max-w-full cursor-pointer items-center gap-1 rounded-md border border-line bg-surface-muted px-1.5 py-0.5 font-mono text-[11px] text-fg-muted hover:border-line-strong hover:text-fg"
              >
                <MapPin className="size-3 shrink-0" aria-hidden="true" />
                <span className="sr-only">Open </span>
                <span className="truncate">{label}</span>
              </button>
            ) : (
              <span className="inline-flex max-w-full items-center gap-1 rounded-md border border-line bg-surface-muted px-1.5 py-0.5 font-mono text-[11px] text-fg-muted">
                <MapPin className="size-3 shrink-0" aria-hidden="true" />
                <span className="truncate">{label}</span>
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
