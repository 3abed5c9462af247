import { CloudExclamationPoint, RefreshCw } from "lucide-react";
import { describeError } from "../../lib/errors.ts";
import { Button } from "./Button.tsx";
import { EmptyState } from "./EmptyState.tsx";

/** A query that failed: what went wrong and a way to try again. */
export function ErrorState({
  error,
  onRetry,
  title = "Couldn't load this",
}: {
  error: unknown;
  onRetry: () => void;
  title?: string;
}) {
  const { message } = describeError(error);
  return (
    <div role="alert">
      <EmptyState
        icon={CloudExclamationPoint}
        title={title}
        description={message ?? "Something went wrong."}
        action={
          <Button variant="secondary" icon={<RefreshCw />} onClick={onRetry}>
            Retry
          </Button>
        }
      />
    </div>
  );
}
