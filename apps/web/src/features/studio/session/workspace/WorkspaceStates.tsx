import { FolderLock, Play } from "lucide-react";
import { Button } from "../../../../components/ui/Button.tsx";
import { EmptyState } from "../../../../components/ui/EmptyState.tsx";
import { ErrorState } from "../../../../components/ui/ErrorState.tsx";
import { cn } from "../../../../lib/cn.ts";
import { describeError, errorCode } from "../../../../lib/errors.ts";
import { changeLetters } from "./tree-state.ts";
import type { ChangeStatus } from "./workspace-types.ts";

/**
 * A workspace query that failed. A CONFLICT is not an error to retry: the session is stopped (its
 * workspace was kept, resuming shows it) or still being prepared; the server's words say which.
 */
export function WorkspaceError({
  error,
  onRetry,
  onResume,
  resuming,
}: {
  error: unknown;
  onRetry: () => void;
  onResume: (() => void) | null;
  resuming: boolean;
}) {
  if (errorCode(error) === "CONFLICT") {
    const message = describeError(error).message ?? "The workspace can't be read right now.";
    const stopped = /resume/i.test(message);
    return (
      <div className="workspace-unavailable" role="status">
        <EmptyState
          icon={FolderLock}
          spacing="compact"
          title={stopped ? "The session is stopped" : "Not ready yet"}
          description={stopped ? "Its workspace was kept. Resume the session to see it again." : message}
          action={
            stopped && onResume ? (
              <Button variant="secondary" icon={<Play />} pending={resuming} onClick={onResume}>
                Resume session
              </Button>
            ) : null
          }
        />
      </div>
    );
  }
  return <ErrorState error={error} onRetry={onRetry} title="Couldn't read the workspace" />;
}

const markTones: Record<ChangeStatus, string> = {
  added: "text-success-soft-fg",
  modified: "text-warning-soft-fg",
  deleted: "text-danger-soft-fg",
  renamed: "text-accent-soft-fg",
};

/** An editor-style change letter (A, M, D, R), with its word for screen readers. */
export function ChangeMark({ change, className }: { change: ChangeStatus; className?: string }) {
  return (
    <span
      className={cn("change-mark shrink-0 font-mono text-[11px] font-semibold", markTones[change], className)}
      title={change}
      data-change={change}
    >
      <span aria-hidden="true">{changeLetters[change]}</span>
      <span className="sr-only">{change}</span>
    </span>
  );
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}
