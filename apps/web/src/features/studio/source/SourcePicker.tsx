import { FolderUp, GitBranch, Square } from "lucide-react";
import { useCallback, useEffect, useState } from "react";
import { cn } from "../../../lib/cn.ts";
import { RepositorySource } from "./RepositorySource.tsx";
import { EMPTY_CHOICE, type SourceChoice, type SourceKind } from "./source-state.ts";
import { UploadSource } from "./UploadSource.tsx";

const kinds: { value: SourceKind; label: string; Icon: typeof GitBranch }[] = [
  { value: "empty", label: "Empty", Icon: Square },
  { value: "git", label: "Repository", Icon: GitBranch },
  { value: "upload", label: "Upload", Icon: FolderUp },
];

/**
 * "Start from": an empty workspace, a git repository or an upload. Each panel stays mounted while
 * hidden, so switching back and forth keeps what was typed or uploaded.
 */
export function SourcePicker({
  onChange,
  disabled,
}: {
  onChange: (choice: SourceChoice) => void;
  disabled?: boolean | undefined;
}) {
  const [kind, setKind] = useState<SourceKind>("empty");
  const [choices, setChoices] = useState<Record<SourceKind, SourceChoice>>({
    empty: EMPTY_CHOICE,
    git: { source: null, problem: "Enter the repository's https URL.", busy: false },
    upload: { source: null, problem: "Choose a folder or an archive to upload.", busy: false },
  });
  const setGit = useCallback((choice: SourceChoice) => setChoices((all) => ({ ...all, git: choice })), []);
  const setUpload = useCallback(
    (choice: SourceChoice) => setChoices((all) => ({ ...all, upload: choice })),
    [],
  );

  const current = choices[kind];
  useEffect(() => onChange(current), [current, onChange]);

  return (
    <div className="space-y-3">
      <fieldset disabled={disabled}>
        <legend className="mb-1.5 text-[13px] font-medium text-fg">Start from</legend>
        <div className="flex h-9 max-w-md rounded-lg border border-line bg-surface-muted p-0.5">
          {kinds.map(({ value, label, Icon }) => (
            <label
              key={value}
              className={cn(
                "flex flex-1 cursor-pointer items-center justify-center gap-1.5 rounded-md px-2.5 text-[13px] font-medium transition-colors has-focus-visible:ring-2 has-focus-visible:ring-ring",
                kind === value ? "bg-surface text-fg shadow-soft" : "text-fg-muted hover:text-fg",
              )}
            >
              <input
                type="radio"
                name="source-kind"
                value={value}
                checked={kind === value}
                onChange={() => setKind(value)}
                className="sr-only"
              />
              <Icon className="size-3.5" aria-hidden="true" />
              {label}
            </label>
          ))}
        </div>
      </fieldset>
      {kind === "empty" ? (
        <p className="text-xs text-fg-muted">
          The agent starts in an empty folder. The studio commits it as the base, so you can still download
          the changes.
        </p>
      ) : null}
      <div hidden={kind !== "git"}>
        <RepositorySource onChange={setGit} disabled={disabled} />
      </div>
      <div hidden={kind !== "upload"}>
        <UploadSource onChange={setUpload} disabled={disabled} />
      </div>
    </div>
  );
}
