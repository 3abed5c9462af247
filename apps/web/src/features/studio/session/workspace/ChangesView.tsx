import { useQuery } from "@tanstack/react-query";
import { FileDiff, GitCompare, Upload } from "lucide-react";
import { useState } from "react";
import { Alert } from "../../../../components/ui/Alert.tsx";
import { Button, buttonClasses } from "../../../../components/ui/Button.tsx";
import { EmptyState } from "../../../../components/ui/EmptyState.tsx";
import { PageSpinner } from "../../../../components/ui/Spinner.tsx";
import { useTRPC } from "../../../../lib/trpc.ts";
import { downloadPatch } from "../../source/downloads.ts";
import { patchDownloadUrl } from "../../source/source-format.ts";
import { CommitPushDialog } from "../CommitPushDialog.tsx";
import { DiffPane } from "./DiffPane.tsx";
import type { WorkspacePanelProps } from "./WorkspacePanel.tsx";
import { ChangeMark, WorkspaceError } from "./WorkspaceStates.tsx";
import type { ChangedFile } from "./workspace-types.ts";

/** Every file changed since the session's base, with the way to take them away. */
export function ChangesView(props: WorkspacePanelProps) {
  const { sessionId, selection, select, canPush, workBranch, onResume, resuming } = props;
  const trpc = useTRPC();
  const changes = useQuery(trpc.workspace.changes.queryOptions({ sessionId }, { retry: false }));
  const [pushOpen, setPushOpen] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);

  if (selection.change) {
    const file = changes.data?.files.find((item) => item.path === selection.change) ?? null;
    return (
      <DiffPane
        sessionId={sessionId}
        path={selection.change}
        file={file}
        onBack={() => select({ change: null })}
        onOpenFile={() => select({ view: "file", file: selection.change })}
        onResume={onResume}
        resuming={resuming}
      />
    );
  }
  if (changes.isPending) return <PageSpinner label="Loading changes" />;
  if (changes.isError) {
    return (
      <WorkspaceError
        error={changes.error}
        onRetry={() => void changes.refetch()}
        onResume={onResume}
        resuming={resuming}
      />
    );
  }
  const { files, totals, truncated } = changes.data;
  const patchUrl = patchDownloadUrl(sessionId);
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex flex-wrap items-center gap-2 border-b border-line px-3 py-2">
        <p className="changes-totals min-w-0 flex-1 text-[13px] text-fg">
          {totals.files === 0 ? (
            "No changes"
          ) : (
            <>
              {totals.files} {totals.files === 1 ? "file" : "files"} changed{" "}
              <span className="font-mono text-xs">
                <span className="text-success-soft-fg">+{totals.additions}</span>{" "}
                <span className="text-danger-soft-fg">−{totals.deletions}</span>
              </span>
            </>
          )}
        </p>
        <a
          href={patchUrl}
          download={`session-${sessionId.slice(0, 8)}.patch`}
          className={buttonClasses("secondary", "sm")}
          onClick={(event) => {
            // Fetched first, so a refusal (a stopped session) is said rather than saved as a file.
            event.preventDefault();
            void downloadPatch(patchUrl, `session-${sessionId.slice(0, 8)}.patch`).then(setRefusal);
          }}
        >
          <FileDiff aria-hidden="true" />
          Download patch
        </a>
        {canPush ? (
          <Button size="sm" icon={<Upload />} onClick={() => setPushOpen(true)} disabled={totals.files === 0}>
            Commit & push…
          </Button>
        ) : null}
      </div>
      {refusal ? (
        <div className="border-b border-line p-2">
          <Alert>{refusal}</Alert>
        </div>
      ) : null}
      {files.length === 0 ? (
        <EmptyState
          icon={GitCompare}
          spacing="compact"
          title="Nothing changed yet"
          description="Files the agent adds, edits, deletes or renames show up here as it works."
        />
      ) : (
        <ul aria-label="Changed files" className="changes-list min-h-0 flex-1 overflow-y-auto py-1">
          {files.map((file) => (
            <li key={file.path}>
              <ChangeRow file={file} onOpen={() => select({ change: file.path })} />
            </li>
          ))}
          {truncated ? (
            <li className="px-3 py-2 text-xs text-fg-muted">More changed files than can be listed.</li>
          ) : null}
        </ul>
      )}
      {canPush ? (
        <CommitPushDialog
          sessionId={sessionId}
          workBranch={workBranch}
          open={pushOpen}
          onClose={() => setPushOpen(false)}
        />
      ) : null}
    </div>
  );
}

function ChangeRow({ file, onOpen }: { file: ChangedFile; onOpen: () => void }) {
  return (
    <button
      type="button"
      onClick={onOpen}
      data-path={file.path}
      className="change-row flex w-full cursor-pointer items-center gap-2 px-3 py-1.5 text-left text-[13px] hover:bg-surface-hover focus-visible:-outline-offset-2"
    >
      <ChangeMark change={file.status} className="w-3" />
      <span className="min-w-0 flex-1 truncate font-mono text-xs text-fg" title={file.path}>
        {file.oldPath ? (
          <>
            <span className="text-fg-muted">{file.oldPath} → </span>
            {file.path}
          </>
        ) : (
          file.path
        )}
      </span>
      <span className="shrink-0 font-mono text-xs">
        {file.binary ? (
          <span className="text-fg-muted">binary</span>
        ) : (
          <>
            <span className="text-success-soft-fg">+{file.additions ?? 0}</span>{" "}
            <span className="text-danger-soft-fg">−{file.deletions ?? 0}</span>
          </>
        )}
      </span>
    </button>
  );
}
