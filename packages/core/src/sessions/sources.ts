// What a new session starts from, checked before anything is stored or provisioned: a git
// repository the studio can read (with the organisation's credential for its host, or none) at a
// branch, tag or commit it lists, or an upload of the caller's own that no other session has used.
// Refusals say what to do about them; nothing of a refused session is left behind.
import { access } from "node:fs/promises";
import type { DbTx } from "@studio/db";
import type { GitRefKind, SessionSourceKind } from "@studio/models";
import { type GitRemoteRules, openGitCredential } from "../git/credentials.ts";
import { hostOfUrl } from "../git/host.ts";
import { decideRef, type ListRemoteRefsResult, listRemoteRefs } from "../git/refs.ts";
import type { GitRemoteCredential } from "../git/remote.ts";
import { prepareRemote } from "../git/remote-url.ts";
import type { Keyring } from "../keys/keyring.ts";
import { AppError } from "../shared/errors.ts";
import { uploadPath } from "../uploads/uploads.ts";
import type { SessionSourceInput } from "./schemas.ts";

export interface SourceActor {
  userId: string;
  organizationId: string;
}

/** What resolving a source needs beyond the database: the keyring, the network rules, the upload directory. */
export interface SessionSourceDeps {
  keyring: Keyring;
  rules: GitRemoteRules;
  /** Where uploads are kept (STUDIO_UPLOAD_DIR); null: this studio takes no uploads. */
  uploadDir: string | null;
}

/** The session row's source columns. */
export interface SessionSourceColumns {
  sourceKind: SessionSourceKind;
  sourceUrl: string | null;
  sourceRef: string | null;
  sourceRefKind: GitRefKind | null;
  sourceFullHistory: boolean;
  sourceUploadId: string | null;
  baseBranch: string | null;
  workBranch: string | null;
}

/** The branch a session works and pushes on: the organisation's prefix and the session id's first 8 characters. */
export function workBranchFor(prefix: string, sessionId: string): string {
  return `${prefix}${sessionId.slice(0, 8).toLowerCase()}`;
}

/** The columns of a session that starts from nothing. */
export const NO_SOURCE: SessionSourceColumns = {
  sourceKind: "empty",
  sourceUrl: null,
  sourceRef: null,
  sourceRefKind: null,
  sourceFullHistory: false,
  sourceUploadId: null,
  baseBranch: null,
  workBranch: null,
};

/** ls-remote runs on the studio's machine: a few at a time per replica, however many people click. */
const MAX_LISTINGS_AT_ONCE = 8;
let listingsRunning = 0;

const settingsHint = (host: string) => `Add a credential for ${host} in Settings → Git hosts.`;

/**
 * Lists a repository's refs with the organisation's credential for its host (if it has one), or
 * throws BAD_REQUEST saying what went wrong and what to do.
 */
async function readRepository(
  db: DbTx,
  deps: Pick<SessionSourceDeps, "keyring" | "rules">,
  organizationId: string,
  url: string,
): Promise<Extract<ListRemoteRefsResult, { ok: true }>> {
  const parsed = (() => {
    try {
      return hostOfUrl(new URL(url));
    } catch {
      return { ok: false as const, problem: "That is not a repository URL." };
    }
  })();
  if (!parsed.ok) throw new AppError("BAD_REQUEST", parsed.problem);
  const host = parsed.host;
  const credential: GitRemoteCredential | null = await openGitCredential(
    db,
    deps.keyring,
    organizationId,
    host,
  );
  const prepared = await prepareRemote(url, host, deps.rules.privateNetwork, deps.rules.resolve);
  if (!prepared.ok) throw new AppError("BAD_REQUEST", prepared.message);
  if (listingsRunning >= MAX_LISTINGS_AT_ONCE)
    throw new AppError(
      "TOO_MANY_REQUESTS",
      "Other repositories are being read; try again in a few seconds.",
      {
        retryAfterSeconds: 5,
      },
    );
  listingsRunning += 1;
  let listed: ListRemoteRefsResult;
  try {
    listed = await listRemoteRefs(prepared.target, credential, { timeoutMs: deps.rules.timeoutMs });
  } finally {
    listingsRunning -= 1;
  }
  if (listed.ok) return listed;
  switch (listed.outcome) {
    case "authentication_failed":
      throw new AppError(
        "BAD_REQUEST",
        credential
          ? `${host} refused the organisation's credential for it. Replace it in Settings → Git hosts.`
          : `${host} wants a credential for this repository. ${settingsHint(host)}`,
      );
    case "not_found":
      throw new AppError(
        "BAD_REQUEST",
        credential
          ? `${host} has no repository at ${url}, or the organisation's credential cannot see it.`
          : `${host} has no repository at ${url}, or it is private. ${settingsHint(host)}`,
      );
    default:
      throw new AppError("BAD_REQUEST", listed.message);
  }
}

/**
 * The source columns of a new session, after checking the source: a git repository is read
 * (ls-remote) and the ref decided; an upload must be the caller's own, unused and on disk.
 * `sessionId` names the work branch. Throws BAD_REQUEST (or NOT_FOUND for an upload) otherwise.
 */
export async function resolveSessionSource(
  db: DbTx,
  deps: SessionSourceDeps,
  actor: SourceActor,
  source: SessionSourceInput,
  sessionId: string,
): Promise<SessionSourceColumns> {
  if (source.kind === "empty") return NO_SOURCE;
  if (source.kind === "upload") {
    await checkUpload(db, deps.uploadDir, actor, source.uploadId);
    return { ...NO_SOURCE, sourceKind: "upload", sourceUploadId: source.uploadId };
  }
  const organization = await db.organization.findUnique({
    where: { id: actor.organizationId },
    select: { pushBranchPrefix: true },
  });
  if (!organization) throw new AppError("NOT_FOUND", "Organisation not found.");
  const refs = await readRepository(db, deps, actor.organizationId, source.url);
  const decision = decideRef(refs, source.ref);
  if (!decision.ok) throw new AppError("BAD_REQUEST", decision.message);
  return {
    sourceKind: "git",
    sourceUrl: source.url,
    sourceRef: decision.ref,
    sourceRefKind: decision.kind,
    sourceFullHistory: source.fullHistory,
    sourceUploadId: null,
    baseBranch: decision.kind === "branch" ? decision.ref : refs.defaultBranch,
    workBranch: workBranchFor(organization.pushBranchPrefix, sessionId),
  };
}

/**
 * An upload a session may start from: the caller's own (organisation and user), not used by another
 * session, its file present. Another's upload is "not found", never "not yours".
 */
export async function checkUpload(
  db: DbTx,
  uploadDir: string | null,
  actor: SourceActor,
  uploadId: string,
): Promise<void> {
  const upload = await db.sessionUpload.findFirst({
    where: { id: uploadId, organizationId: actor.organizationId, userId: actor.userId },
    select: { id: true, _count: { select: { sessions: true } } },
  });
  if (!upload || uploadDir === null) throw new AppError("NOT_FOUND", "Upload not found. Upload it again.");
  if (upload._count.sessions > 0)
    throw new AppError("BAD_REQUEST", "That upload has started a session already. Upload it again.");
  try {
    await access(uploadPath(uploadDir, uploadId));
  } catch {
    throw new AppError(
      "NOT_FOUND",
      "The uploaded file is gone (uploads are kept for a day). Upload it again.",
    );
  }
}

/** `sessions.sourceRefs`: a repository's branches and tags for the ref picker, default branch first. */
export async function sourceRefs(
  db: DbTx,
  deps: Pick<SessionSourceDeps, "keyring" | "rules">,
  actor: SourceActor,
  input: { url: string },
) {
  const refs = await readRepository(db, deps, actor.organizationId, input.url);
  return {
    defaultBranch: refs.defaultBranch,
    branches: refs.branches,
    tags: refs.tags,
    truncated: refs.truncated,
  };
}

const RECENT_REPOSITORIES = 10;

/** The organisation's git sources used before, most recent first, each once, with the ref last used. */
export async function recentRepositories(db: DbTx, actor: SourceActor) {
  const rows = await db.$queryRaw<
    { url: string; ref: string | null; ref_kind: GitRefKind | null; used_at: Date }[]
  >`
    SELECT DISTINCT ON (source_url) source_url AS url, source_ref AS ref, source_ref_kind AS ref_kind,
           created_at AS used_at
    FROM studio_sessions
    WHERE organization_id = ${actor.organizationId} AND source_kind = 'git' AND source_url IS NOT NULL
    ORDER BY source_url, created_at DESC`;
  return rows
    .sort((a, b) => b.used_at.getTime() - a.used_at.getTime())
    .slice(0, RECENT_REPOSITORIES)
    .map((row) => ({ url: row.url, ref: row.ref, refKind: row.ref_kind, usedAt: row.used_at }));
}
