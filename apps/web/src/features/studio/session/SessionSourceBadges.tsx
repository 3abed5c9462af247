import { FolderUp, GitBranch, GitCommitHorizontal, Square, Tag } from "lucide-react";
import { Badge } from "../../../components/ui/Badge.tsx";
import type { RouterOutputs } from "../../../lib/trpc.ts";
import { repositoryLabel, shortCommit } from "../source/source-format.ts";

type Session = RouterOutputs["sessions"]["get"];

/** Where the session's workspace came from, and the branch it works on, as header badges. */
export function SessionSourceBadges({ session }: { session: Session }) {
  const { source, workBranch, baseCommit } = session;
  const base = baseCommit ? ` · base ${shortCommit(baseCommit)}` : "";
  if (source.kind === "git" && source.url) {
    const RefIcon =
      source.refKind === "tag" ? Tag : source.refKind === "commit" ? GitCommitHorizontal : GitBranch;
    const ref = source.ref
      ? source.refKind === "commit"
        ? shortCommit(source.ref)
        : source.ref
      : "default branch";
    return (
      <>
        <li>
          <Badge className="session-source max-w-80">
            <GitBranch className="size-3" aria-hidden="true" />
            <span className="sr-only">Started from: </span>
            <a
              href={source.url}
              target="_blank"
              rel="noopener noreferrer"
              className="truncate hover:text-fg hover:underline"
              title={`${source.url}${source.fullHistory ? " (full history)" : " (shallow clone)"}${base}`}
            >
              {repositoryLabel(source.url)}
            </a>
            <span aria-hidden="true">@</span>
            <RefIcon className="size-3" aria-hidden="true" />
            <span className="truncate">{ref}</span>
          </Badge>
        </li>
        {workBranch ? (
          <li>
            <Badge tone="accent" className="work-branch">
              <span className="sr-only">Works on branch: </span>
              <GitBranch className="size-3" aria-hidden="true" />
              <span className="font-mono" title="The branch Commit & push pushes to">
                {workBranch}
              </span>
            </Badge>
          </li>
        ) : null}
      </>
    );
  }
  return (
    <li>
      <Badge className="session-source">
        {source.kind === "upload" ? (
          <FolderUp className="size-3" aria-hidden="true" />
        ) : (
          <Square className="size-3" aria-hidden="true" />
        )}
        <span className="sr-only">Started from: </span>
        <span title={baseCommit ? `Base commit ${shortCommit(baseCommit)}` : undefined}>
          {source.kind === "upload" ? "Uploaded folder" : "Empty workspace"}
        </span>
      </Badge>
    </li>
  );
}
