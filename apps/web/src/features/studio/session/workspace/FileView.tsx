import { useQuery } from "@tanstack/react-query";
import { FileQuestion, FileSymlink, FileX, Folder, MousePointerClick } from "lucide-react";
import { Alert } from "../../../../components/ui/Alert.tsx";
import { Button } from "../../../../components/ui/Button.tsx";
import { EmptyState } from "../../../../components/ui/EmptyState.tsx";
import { PageSpinner } from "../../../../components/ui/Spinner.tsx";
import { useTRPC } from "../../../../lib/trpc.ts";
import { CopyButton } from "../chat/markdown/CopyButton.tsx";
import { CodeLines } from "./CodeLines.tsx";
import type { WorkspacePanelProps } from "./WorkspacePanel.tsx";
import { formatBytes, WorkspaceError } from "./WorkspaceStates.tsx";

export function FileView({ sessionId, selection, select, onResume, resuming }: WorkspacePanelProps) {
  const path = selection.file;
  if (!path) {
    return (
      <EmptyState
        icon={MousePointerClick}
        spacing="compact"
        title="No file open"
        description="Pick a file in Files, or a file's path in a tool card."
        action={
          <Button variant="secondary" size="sm" onClick={() => select({ view: "files" })}>
            Show files
          </Button>
        }
      />
    );
  }
  return (
    <OpenFile
      key={path}
      sessionId={sessionId}
      path={path}
      onResume={onResume}
      resuming={resuming}
      onShowChange={() => select({ view: "changes", change: path })}
    />
  );
}

function OpenFile({
  sessionId,
  path,
  onResume,
  resuming,
  onShowChange,
}: {
  sessionId: string;
  path: string;
  onResume: (() => void) | null;
  resuming: boolean;
  onShowChange: () => void;
}) {
  const trpc = useTRPC();
  const file = useQuery(trpc.workspace.file.queryOptions({ sessionId, path }, { retry: false }));
  const data = file.data;
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex items-center gap-2 border-b border-line py-1 pr-1 pl-3">
        <h2 className="file-path min-w-0 flex-1 truncate font-mono text-xs text-fg" title={path}>
          {path}
        </h2>
        {data?.size != null ? (
          <span className="shrink-0 text-xs text-fg-muted tabular-nums">{formatBytes(data.size)}</span>
        ) : null}
        <CopyButton text={path} label="Copy path" />
      </div>
      {file.isPending ? (
        <PageSpinner label="Loading the file" />
      ) : file.isError ? (
        <WorkspaceError
          error={file.error}
          onRetry={() => void file.refetch()}
          onResume={onResume}
          resuming={resuming}
        />
      ) : data?.kind === "text" ? (
        <>
          {data.truncated ? (
            <div className="border-b border-line p-2">
              <Alert tone="warning">
                This file is {data.size === null ? "over 1 MB" : formatBytes(data.size)}: only its first 1 MB
                is shown.
              </Alert>
            </div>
          ) : null}
          <CodeLines path={path} text={data.content ?? ""} />
        </>
      ) : data?.kind === "binary" ? (
        <EmptyState
          icon={FileQuestion}
          spacing="compact"
          title="A binary file"
          description="It isn't text, so it isn't shown here. Download the workspace to open it."
        />
      ) : data?.kind === "missing" ? (
        <EmptyState
          icon={FileX}
          spacing="compact"
          title="This file isn't there any more"
          description="It was deleted or moved since it was opened."
          action={
            <Button variant="secondary" size="sm" onClick={onShowChange}>
              Show its change
            </Button>
          }
        />
      ) : data?.kind === "symlink" ? (
        <EmptyState
          icon={FileSymlink}
          spacing="compact"
          title="A symbolic link"
          description={
            data.target ? (
              <>
                It points to <code className="font-mono">{data.target}</code>.
              </>
            ) : (
              "It points outside the workspace, so it isn't followed."
            )
          }
        />
      ) : (
        <EmptyState icon={Folder} spacing="compact" title="A folder" description="Open it in Files." />
      )}
    </div>
  );
}
