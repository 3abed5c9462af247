import { ExternalLink, GitPullRequestArrow, Upload } from "lucide-react";
import { memo } from "react";
import { formatDateTime } from "../../../../../lib/format.ts";
import { branchName, shortCommit } from "../../../source/source-format.ts";
import type { GitPushedItem } from "../chat-types.ts";

/** All zeros: the ref did not exist before the push. */
const isNewRef = (commit: string) => /^0+$/.test(commit);

/** "Pushed studio/abc to origin · Open a pull request": a push through the git gateway, by anyone. */
export const GitPushedRow = memo(function GitPushedRow({ item }: { item: GitPushedItem }) {
  const branch = branchName(item.ref);
  const range = isNewRef(item.oldCommit)
    ? `new branch at ${shortCommit(item.newCommit)}`
    : `${shortCommit(item.oldCommit)}..${shortCommit(item.newCommit)}`;
  return (
    <div
      className="git-pushed flex flex-wrap items-center gap-x-2 gap-y-1 rounded-lg border border-line bg-surface px-3 py-2 text-[13px] shadow-soft"
      data-ref={item.ref}
    >
      <Upload className="size-4 shrink-0 text-success-soft-fg" aria-hidden="true" />
      <p className="min-w-0 text-fg">
        Pushed <span className="font-mono font-medium">{branch}</span> to origin
        <span className="text-fg-muted">
          {" "}
          · <span className="font-mono">{range}</span>
        </span>
      </p>
      <time dateTime={item.at.toISOString()} className="text-xs text-fg-muted">
        {formatDateTime(item.at)}
      </time>
      {item.pullRequestUrl ? (
        <a
          href={item.pullRequestUrl}
          target="_blank"
          rel="noopener noreferrer"
          className="ml-auto inline-flex items-center gap-1 font-medium text-accent-soft-fg hover:underline"
        >
          <GitPullRequestArrow className="size-3.5" aria-hidden="true" />
          Open a pull request
          <ExternalLink className="size-3" aria-hidden="true" />
          <span className="sr-only">(opens in a new tab)</span>
        </a>
      ) : null}
    </div>
  );
});
