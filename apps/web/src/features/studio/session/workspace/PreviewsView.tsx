import { useQuery } from "@tanstack/react-query";
import { ExternalLink, Globe, Link2, Play, RefreshCw } from "lucide-react";
import { useState } from "react";
import { Button } from "../../../../components/ui/Button.tsx";
import { EmptyState } from "../../../../components/ui/EmptyState.tsx";
import { PageSpinner } from "../../../../components/ui/Spinner.tsx";
import { useTRPC } from "../../../../lib/trpc.ts";
import { SharePreviewDialog } from "./SharePreviewDialog.tsx";
import type { WorkspacePanelProps } from "./WorkspacePanel.tsx";
import { WorkspaceError } from "./WorkspaceStates.tsx";

/** How often the list is asked again while it is shown: a server the agent starts appears by itself. */
export const PREVIEWS_REFRESH_MS = 3_000;

/**
 * The ports the session's sandbox listens on, detected by the server, each with the link that opens
 * it through the studio's preview proxy. Only mounted while its tab is shown, so the polling stops
 * when the panel or the tab closes.
 */
export function PreviewsView({ sessionId, onResume, resuming }: WorkspacePanelProps) {
  const trpc = useTRPC();
  const live = onResume === null;
  const [sharing, setSharing] = useState<number | null>(null);
  const previews = useQuery(
    trpc.previews.ports.queryOptions(
      { sessionId },
      { retry: false, enabled: live, refetchInterval: live ? PREVIEWS_REFRESH_MS : false },
    ),
  );

  if (!live) {
    return (
      <div className="previews-unavailable" role="status">
        <EmptyState
          icon={Globe}
          spacing="compact"
          title="The session is stopped"
          description="Its servers stopped with it. Resume the session to preview what the agent runs."
          action={
            onResume ? (
              <Button variant="secondary" icon={<Play />} pending={resuming} onClick={onResume}>
                Resume session
              </Button>
            ) : null
          }
        />
      </div>
    );
  }
  if (previews.isPending) return <PageSpinner label="Looking for previews" />;
  if (previews.isError && !previews.data) {
    return (
      <WorkspaceError
        error={previews.error}
        onRetry={() => void previews.refetch()}
        onResume={onResume}
        resuming={resuming}
      />
    );
  }
  const ports = previews.data?.ports ?? [];
  const shareable = previews.data?.shareable ?? false;
  return (
    <div className="previews flex min-h-0 flex-1 flex-col">
      <div className="flex items-center gap-2 border-b border-line px-3 py-2">
        <p className="min-w-0 flex-1 text-[13px] text-fg" aria-live="polite">
          {ports.length === 0
            ? "No ports open"
            : `${ports.length} ${ports.length === 1 ? "port" : "ports"} listening`}
        </p>
        <Button
          variant="ghost"
          size="sm"
          icon={<RefreshCw />}
          disabled={previews.isFetching}
          aria-label="Refresh previews"
          title="Refresh previews"
          onClick={() => void previews.refetch()}
        >
          Refresh
        </Button>
      </div>
      {ports.length === 0 ? (
        <EmptyState
          icon={Globe}
          spacing="compact"
          title="No previews yet"
          description="Nothing listens yet. When the agent starts a server, it shows up here."
        />
      ) : (
        <ul aria-label="Previews" className="min-h-0 flex-1 overflow-auto py-1">
          {ports.map(({ port, url }) => (
            <li
              key={port}
              data-port={port}
              className="preview-row flex items-center gap-3 px-3 py-1.5 hover:bg-surface-hover"
            >
              <span className="min-w-0 flex-1 text-[13px] text-fg">
                Port <span className="font-mono tabular-nums">{port}</span>
              </span>
              <a
                href={url}
                target="_blank"
                rel="noopener"
                aria-label={`Open preview of port ${port}`}
                className="inline-flex items-center gap-1 text-[13px] font-medium text-accent-soft-fg hover:underline [&>svg]:size-3.5"
              >
                Open preview
                <ExternalLink aria-hidden="true" />
              </a>
              {shareable ? (
                <Button
                  variant="ghost"
                  size="sm"
                  icon={<Link2 />}
                  aria-label={`Share preview of port ${port}`}
                  onClick={() => setSharing(port)}
                >
                  Share
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <SharePreviewDialog sessionId={sessionId} port={sharing} onClose={() => setSharing(null)} />
    </div>
  );
}
