// Who may use the studio's git gateway (`/api/git/<sessionId>/…`) and where their git traffic goes.
// A sandbox holds no git credential of its own: it presents its session's gateway token (the same
// one its model calls carry), and the studio forwards the request to the session's remote with the
// organisation's stored credential for that host, which never leaves the studio. The token must be
// the one of the session named in the path, and the session must still be running.
import { timingSafeEqual } from "node:crypto";
import type { DbTx } from "@studio/db";
import { hashSecret } from "../auth/secrets.ts";
import type { Keyring } from "../keys/keyring.ts";
import { appendEvents } from "../sessions/event-log.ts";
import { isLive } from "../sessions/state-machine.ts";
import { AppError } from "../shared/errors.ts";
import type { GitRemoteRules } from "./credentials.ts";
import { gitHostKind, openGitCredential } from "./credentials.ts";
import { hostOfUrl } from "./host.ts";
import { type PullRequestHostKind, pullRequestLink } from "./pull-request-link.ts";
import type { GitRemoteCredential, GitRemoteTarget } from "./remote.ts";
import { type PreparedRemote, prepareRemote } from "./remote-url.ts";

export interface GitGatewaySession {
  sessionId: string;
  organizationId: string;
  /** The session's remote as stored (https, no credentials), e.g. https://github.com/acme/widgets.git. */
  remoteUrl: string;
  /** The remote checked against TENANT_PRIVATE_NETWORK, its name pinned to the addresses checked. */
  target: GitRemoteTarget;
  /** The branch a pull request would target; null when the session did not record one. */
  baseBranch: string | null;
  workBranch: string | null;
  /** The organisation's push prefix, e.g. `studio/`: only `refs/heads/<prefix>…` may be pushed. */
  pushBranchPrefix: string;
  /** The organisation's stored credential for the remote's host; null: sent anonymously. */
  credential: GitRemoteCredential | null;
  /** What a self-hosted host runs, as named with its credential, for pull-request links. */
  hostKind: PullRequestHostKind | null;
}

const unauthorized = () =>
  new AppError("UNAUTHORIZED", "Use this session's gateway token as the password (any user name).");

/**
 * The session behind a git gateway request, checked: the token's hash must be the one stored for
 * `sessionId` (not merely some session's), the session live and started from a git repository.
 * A wrong token and an unknown session answer alike (UNAUTHORIZED), so the path reveals nothing.
 */
export async function resolveGitGatewaySession(
  db: DbTx,
  keyring: Keyring,
  sessionId: string,
  token: string | null,
  rules: Pick<GitRemoteRules, "privateNetwork" | "resolve">,
): Promise<GitGatewaySession> {
  if (!token || sessionId.length === 0 || sessionId.length > 64) throw unauthorized();
  const row = await db.studioSession.findUnique({
    where: { id: sessionId },
    select: {
      id: true,
      organizationId: true,
      status: true,
      gatewayTokenHash: true,
      sourceKind: true,
      sourceUrl: true,
      baseBranch: true,
      workBranch: true,
      organization: { select: { pushBranchPrefix: true } },
    },
  });
  if (!row?.gatewayTokenHash || !sameHash(hashSecret(token), row.gatewayTokenHash)) throw unauthorized();
  // Only while its sandbox may still be running is the session's token honoured.
  if (!isLive(row.status))
    throw new AppError("FORBIDDEN", "This session has ended; its git access ended with it.");
  if (row.sourceKind !== "git" || !row.sourceUrl)
    throw new AppError("NOT_FOUND", "This session was not started from a git repository.");

  const host = hostOfUrl(new URL(row.sourceUrl));
  if (!host.ok) throw new AppError("BAD_REQUEST", host.problem);
  const prepared: PreparedRemote = await prepareRemote(
    row.sourceUrl,
    host.host,
    rules.privateNetwork,
    rules.resolve,
  );
  if (!prepared.ok) throw new AppError("BAD_REQUEST", prepared.message);
  const credential = await openGitCredential(db, keyring, row.organizationId, host.host);
  return {
    sessionId: row.id,
    organizationId: row.organizationId,
    remoteUrl: row.sourceUrl,
    target: prepared.target,
    baseBranch: row.baseBranch,
    workBranch: row.workBranch,
    pushBranchPrefix: row.organization.pushBranchPrefix,
    credential,
    hostKind: await gitHostKind(db, row.organizationId, host.host),
  };
}

function sameHash(presented: Uint8Array, stored: Uint8Array): boolean {
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export interface GitPushRecord {
  /** The full ref as pushed, e.g. `refs/heads/studio/fix-login`. */
  ref: string;
  oldCommit: string;
  newCommit: string;
  pullRequestUrl: string | null;
}

/**
 * The link to open a pull request for a pushed branch into the session's base branch, or null when
 * there is no base, the ref is not a branch or the host's page format is not known.
 */
export function pullRequestUrlFor(
  session: Pick<GitGatewaySession, "remoteUrl" | "baseBranch"> & { hostKind?: PullRequestHostKind | null },
  ref: string,
): string | null {
  if (!session.baseBranch || !ref.startsWith("refs/heads/")) return null;
  try {
    return (
      pullRequestLink({
        remoteUrl: session.remoteUrl,
        base: session.baseBranch,
        branch: ref.slice("refs/heads/".length),
        hostKind: session.hostKind ?? null,
      })?.url ?? null
    );
  } catch {
    // A link is a convenience: a name it cannot be built for must not fail a push that landed.
    return null;
  }
}

/** Appends one `git_pushed` event per updated ref to the session's log, in the order given. */
export async function recordGitPush(
  db: DbTx,
  sessionId: string,
  pushes: GitPushRecord | readonly GitPushRecord[],
): Promise<void> {
  const list = Array.isArray(pushes) ? pushes : [pushes as GitPushRecord];
  if (list.length === 0) return;
  await appendEvents(
    db,
    sessionId,
    list.map((push) => ({
      type: "git_pushed" as const,
      ref: push.ref,
      oldCommit: push.oldCommit,
      newCommit: push.newCommit,
      pullRequestUrl: push.pullRequestUrl,
    })),
  );
}
