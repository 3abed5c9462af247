import { useQuery } from "@tanstack/react-query";
import { GitBranch, History } from "lucide-react";
import { useEffect, useId, useMemo, useState } from "react";
import { Link } from "react-router";
import { Alert } from "../../../components/ui/Alert.tsx";
import { Field } from "../../../components/ui/Field.tsx";
import { Input, Select } from "../../../components/ui/Input.tsx";
import { Spinner } from "../../../components/ui/Spinner.tsx";
import { describeError } from "../../../lib/errors.ts";
import { formatRelative } from "../../../lib/format.ts";
import { useTRPC } from "../../../lib/trpc.ts";
import { isCommitSha, looksLikeRepositoryUrl, refOptions, repositoryLabel } from "./source-format.ts";
import { credentialMayHelp, type SourceChoice } from "./source-state.ts";

/** The select's value for "a commit I type in". */
const COMMIT_OPTION = "\u0000commit";
const DEBOUNCE_MS = 450;

function useDebounced<T>(value: T, delay: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return debounced;
}

function GitHostsLink() {
  return (
    <Link to="/settings/git-hosts" className="mt-1 inline-block font-medium underline underline-offset-2">
      Open Settings → Git hosts
    </Link>
  );
}

function RecentRepositories({
  onPick,
  disabled,
}: {
  onPick: (url: string, ref: string | null) => void;
  disabled?: boolean | undefined;
}) {
  const trpc = useTRPC();
  const recent = useQuery(trpc.sessions.recentRepositories.queryOptions(undefined, { staleTime: 60_000 }));
  const items = recent.data?.slice(0, 5) ?? [];
  if (items.length === 0) return null;
  return (
    <div className="flex flex-col gap-1.5">
      <p id="recent-repositories" className="flex items-center gap-1 text-xs font-medium text-fg-muted">
        <History className="size-3.5" aria-hidden="true" />
        Recently used in your organisation
      </p>
      <ul aria-labelledby="recent-repositories" className="flex flex-wrap gap-1.5">
        {items.map((item) => (
          <li key={`${item.url}@${item.ref ?? ""}`}>
            <button
              type="button"
              disabled={disabled}
              onClick={() => onPick(item.url, item.ref)}
              title={`Last used ${formatRelative(item.usedAt)}`}
              className="inline-flex h-7 max-w-72 items-center gap-1.5 rounded-md border border-line bg-surface px-2 text-xs text-fg shadow-soft transition-colors hover:bg-surface-hover focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none disabled:opacity-55"
            >
              <span className="truncate">{repositoryLabel(item.url)}</span>
              {item.ref ? (
                <span className="inline-flex items-center gap-0.5 text-fg-muted">
                  <GitBranch className="size-3" aria-hidden="true" />
                  {item.ref}
                </span>
              ) : null}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * A repository URL, its branches and tags once the URL looks complete (listed by the server with the
 * organisation's credential), a commit typed in, and whether to clone the whole history.
 */
export function RepositorySource({
  onChange,
  disabled,
}: {
  onChange: (choice: SourceChoice) => void;
  disabled?: boolean | undefined;
}) {
  const trpc = useTRPC();
  const fieldIds = useId();
  const [url, setUrl] = useState("");
  const [ref, setRef] = useState("");
  const [commit, setCommit] = useState("");
  const [fullHistory, setFullHistory] = useState(false);
  const trimmed = url.trim();
  const debouncedUrl = useDebounced(trimmed, DEBOUNCE_MS);
  const listable = looksLikeRepositoryUrl(debouncedUrl);
  const refs = useQuery(
    trpc.sessions.sourceRefs.queryOptions(
      { url: debouncedUrl },
      { enabled: listable, retry: false, staleTime: 60_000 },
    ),
  );
  const settled = debouncedUrl === trimmed;
  const listing = listable && (refs.isFetching || !settled);
  const listed = listable && settled && refs.data ? refs.data : null;
  // The server refuses with a sentence that says what to do (a credential in Settings → Git hosts).
  const refused =
    listable && settled && refs.isError && !refs.isFetching ? describeError(refs.error).message : null;
  const options = useMemo(() => (listed ? refOptions(listed) : []), [listed]);
  const usingCommit = ref === COMMIT_OPTION;

  // A ref kept from another repository (or a recent pick) that this one does not list becomes "commit".
  useEffect(() => {
    if (!listed || ref === "" || usingCommit) return;
    if (!options.some((option) => option.value === ref)) {
      if (isCommitSha(ref)) {
        setCommit(ref);
        setRef(COMMIT_OPTION);
      } else setRef("");
    }
  }, [listed, options, ref, usingCommit]);

  useEffect(() => {
    const problem = !trimmed
      ? "Enter the repository's https URL."
      : !looksLikeRepositoryUrl(trimmed)
        ? "Enter an https URL such as https://github.com/acme/api."
        : refused
          ? "The repository can't be read (see above)."
          : usingCommit && !isCommitSha(commit)
            ? "Enter a commit id (7 to 40 hexadecimal characters)."
            : null;
    const chosenRef = usingCommit ? commit.trim() : ref;
    onChange({
      source: problem
        ? null
        : { kind: "git", url: trimmed, ...(chosenRef ? { ref: chosenRef } : {}), fullHistory },
      problem,
      busy: listing,
    });
  }, [trimmed, refused, usingCommit, commit, ref, fullHistory, listing, onChange]);

  return (
    <div className="space-y-4">
      <Field
        label="Repository URL"
        hint="The repository's https URL (http only for a git server on the studio's own network, where allowed). Public repositories need nothing; private ones use your organisation's git credential for the host."
      >
        <Input
          type="url"
          name="repository-url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder="https://github.com/acme/api"
          value={url}
          disabled={disabled}
          onChange={(event) => setUrl(event.target.value)}
        />
      </Field>
      <RecentRepositories
        disabled={disabled}
        onPick={(pickedUrl, pickedRef) => {
          setUrl(pickedUrl);
          setRef(pickedRef ?? "");
        }}
      />
      {listing ? (
        <p role="status" className="flex items-center gap-2 text-[13px] text-fg-muted">
          <Spinner /> Listing branches and tags…
        </p>
      ) : null}
      {refused ? (
        <Alert title="Couldn't read the repository">
          <p>{refused}</p>
          {credentialMayHelp(refused) ? <GitHostsLink /> : null}
        </Alert>
      ) : null}
      {listed ? (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field
            label="Branch, tag or commit"
            hint={`${listed.branches.length} ${listed.branches.length === 1 ? "branch" : "branches"}, ${listed.tags.length} ${listed.tags.length === 1 ? "tag" : "tags"}${listed.truncated ? " (not all are listed; pick “A commit…” for another)" : ""}. A tag or commit starts a new branch.`}
          >
            <Select value={ref} disabled={disabled} onChange={(event) => setRef(event.target.value)}>
              <optgroup label="Branches">
                {options
                  .filter((option) => option.group === "branch")
                  .map((option) => (
                    <option key={`b:${option.value}`} value={option.value}>
                      {option.label}
                    </option>
                  ))}
              </optgroup>
              {listed.tags.length > 0 ? (
                <optgroup label="Tags">
                  {options
                    .filter((option) => option.group === "tag")
                    .map((option) => (
                      <option key={`t:${option.value}`} value={option.value}>
                        {option.label}
                      </option>
                    ))}
                </optgroup>
              ) : null}
              <optgroup label="Other">
                <option value={COMMIT_OPTION}>A commit…</option>
              </optgroup>
            </Select>
          </Field>
          {usingCommit ? (
            <Field
              label="Commit id"
              hint="The full or abbreviated id (at least 7 characters)."
              error={commit.trim() && !isCommitSha(commit) ? "That is not a commit id." : undefined}
            >
              <Input
                monospace
                value={commit}
                disabled={disabled}
                spellCheck={false}
                autoComplete="off"
                placeholder="3f9c2ab"
                onChange={(event) => setCommit(event.target.value)}
              />
            </Field>
          ) : null}
        </div>
      ) : null}
      <div className="flex items-start gap-2.5">
        <input
          id={`${fieldIds}-full-history`}
          type="checkbox"
          checked={fullHistory}
          disabled={disabled}
          onChange={(event) => setFullHistory(event.target.checked)}
          aria-describedby={`${fieldIds}-full-history-hint`}
          className="mt-0.5 size-4 cursor-pointer accent-(--accent)"
        />
        <div>
          <label
            htmlFor={`${fieldIds}-full-history`}
            className="cursor-pointer text-[13px] font-medium text-fg"
          >
            Full history
          </label>
          <p id={`${fieldIds}-full-history-hint`} className="text-xs text-fg-muted">
            Off: only the chosen commit is cloned, which is much faster for large repositories. On: every
            commit, for <code className="font-mono">git log</code>, <code className="font-mono">blame</code>{" "}
            or rebasing.
          </p>
        </div>
      </div>
    </div>
  );
}
