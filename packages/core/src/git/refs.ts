// A repository's branches and tags as `git ls-remote --symref` lists them, read with the same rules
// as every other git run (remote.ts), and how a ref someone typed is told apart: a branch, a tag, or
// a commit id. Only what is read is bounded: a remote with a huge number of refs (GitHub lists every
// pull request's) is cut off, and only heads and tags are asked for in the first place.
import type { GitRefKind } from "@studio/models";
import {
  type GitRemoteCredential,
  type GitRemoteOutcome,
  type GitRemoteTarget,
  runGitRemote,
} from "./remote.ts";

/** What is read of ls-remote's output at most; the rest is dropped and the listing marked truncated. */
export const MAX_REFS_BYTES = 5 * 1024 * 1024;
export const MAX_REFS = 20_000;

export interface RemoteRefs {
  /** The branch HEAD points at; null when the remote does not say (empty repository, detached HEAD). */
  defaultBranch: string | null;
  /** Short names (`main`, `feature/x`): the default branch first, then sorted. */
  branches: string[];
  /** Short names (`v1.2.0`), version-like order, newest-looking first. */
  tags: string[];
  /** Each branch's commit id. */
  heads: Record<string, string>;
  /** Each tag's commit id (an annotated tag's peeled one). */
  tagCommits: Record<string, string>;
  /** The listing was longer than the studio reads; some refs are missing. */
  truncated: boolean;
}

export type ListRemoteRefsResult =
  | ({ ok: true } & RemoteRefs)
  | { ok: false; outcome: Exclude<GitRemoteOutcome, "ok">; message: string };

const BRANCH_PREFIX = "refs/heads/";
const TAG_PREFIX = "refs/tags/";
const PEELED = "^{}";

const byVersionDescending = (a: string, b: string) =>
  b.localeCompare(a, "en", { numeric: true, sensitivity: "base" }) || (a < b ? 1 : a > b ? -1 : 0);

/** Parses `git ls-remote --symref` output (C locale). Pure; lines past MAX_REFS are dropped. */
export function parseLsRemote(output: string, truncated = false): RemoteRefs {
  let defaultBranch: string | null = null;
  // No prototype: a branch may be called `__proto__` or `constructor`.
  const heads: Record<string, string> = Object.create(null);
  const tagCommits: Record<string, string> = Object.create(null);
  const peeled = new Set<string>();
  let count = 0;
  let cut = truncated;
  for (const line of output.split("\n")) {
    if (!line) continue;
    const tab = line.indexOf("\t");
    if (tab < 0) continue;
    const left = line.slice(0, tab);
    const name = line.slice(tab + 1).trim();
    if (left.startsWith("ref: ")) {
      const target = left.slice("ref: ".length).trim();
      if (name === "HEAD" && target.startsWith(BRANCH_PREFIX))
        defaultBranch = target.slice(BRANCH_PREFIX.length);
      continue;
    }
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(left)) continue;
    if (count >= MAX_REFS) {
      cut = true;
      break;
    }
    count += 1;
    if (name.startsWith(BRANCH_PREFIX)) {
      heads[name.slice(BRANCH_PREFIX.length)] = left;
    } else if (name.startsWith(TAG_PREFIX)) {
      const tag = name.slice(TAG_PREFIX.length);
      if (tag.endsWith(PEELED)) {
        const base = tag.slice(0, -PEELED.length);
        tagCommits[base] = left;
        peeled.add(base);
      } else if (!peeled.has(tag)) {
        tagCommits[tag] = left;
      }
    }
  }
  // A HEAD symref to a branch the listing does not hold (unborn, or cut off) names no branch to use.
  if (defaultBranch !== null && !Object.hasOwn(heads, defaultBranch) && !cut) defaultBranch = null;
  const others = Object.keys(heads)
    .filter((branch) => branch !== defaultBranch)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const branches =
    defaultBranch !== null && Object.hasOwn(heads, defaultBranch) ? [defaultBranch, ...others] : others;
  const tags = Object.keys(tagCommits).sort(byVersionDescending);
  return { defaultBranch, branches, tags, heads, tagCommits, truncated: cut };
}

/** `git ls-remote --symref` of the remote's HEAD, branches and tags, parsed. */
export async function listRemoteRefs(
  target: GitRemoteTarget,
  credential: GitRemoteCredential | null,
  options: { timeoutMs?: number } = {},
): Promise<ListRemoteRefsResult> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  const result = await runGitRemote(
    ["ls-remote", "--symref", "--", target.url, "HEAD", "refs/heads/*", "refs/tags/*"],
    target,
    {
      credential,
      ...options,
      onStdout: (chunk) => {
        if (truncated) return;
        const room = MAX_REFS_BYTES - bytes;
        if (chunk.length > room) {
          truncated = true;
          chunks.push(chunk.subarray(0, room));
          bytes = MAX_REFS_BYTES;
          return;
        }
        chunks.push(chunk);
        bytes += chunk.length;
      },
    },
  );
  if (result.outcome !== "ok") return { ok: false, outcome: result.outcome, message: result.message };
  let text = Buffer.concat(chunks).toString("utf8");
  // A line cut in the middle is no ref.
  if (truncated) text = text.slice(0, text.lastIndexOf("\n") + 1);
  return { ok: true, ...parseLsRemote(text, truncated) };
}

export type RefDecision = { ok: true; kind: GitRefKind; ref: string } | { ok: false; message: string };

const COMMIT_ID = /^[0-9a-f]{7,40}$/i;

/**
 * What a ref someone asked for is on this remote: a branch (first, as `git clone --branch` does), a
 * tag, or else a commit id (7–40 hex digits, checked only when the clone fetches it). Full names
 * (`refs/heads/x`, `refs/tags/v1`) name their kind. Absent: the default branch.
 */
export function decideRef(refs: RemoteRefs, wanted: string | undefined): RefDecision {
  if (wanted === undefined) {
    if (refs.defaultBranch === null)
      return {
        ok: false,
        message: "The repository has no default branch (is it empty?). Name a branch, tag or commit.",
      };
    return { ok: true, kind: "branch", ref: refs.defaultBranch };
  }
  if (wanted.startsWith(BRANCH_PREFIX)) {
    const branch = wanted.slice(BRANCH_PREFIX.length);
    return Object.hasOwn(refs.heads, branch)
      ? { ok: true, kind: "branch", ref: branch }
      : unknown(refs, wanted);
  }
  if (wanted.startsWith(TAG_PREFIX)) {
    const tag = wanted.slice(TAG_PREFIX.length);
    return Object.hasOwn(refs.tagCommits, tag) ? { ok: true, kind: "tag", ref: tag } : unknown(refs, wanted);
  }
  if (Object.hasOwn(refs.heads, wanted)) return { ok: true, kind: "branch", ref: wanted };
  if (Object.hasOwn(refs.tagCommits, wanted)) return { ok: true, kind: "tag", ref: wanted };
  if (COMMIT_ID.test(wanted)) return { ok: true, kind: "commit", ref: wanted.toLowerCase() };
  return unknown(refs, wanted);
}

function unknown(refs: RemoteRefs, wanted: string): RefDecision {
  const more = refs.truncated ? " (it has more refs than the studio reads; try a commit id)" : "";
  return { ok: false, message: `The repository has no branch or tag named "${wanted}"${more}.` };
}
