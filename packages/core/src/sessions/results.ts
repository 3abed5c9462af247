// Taking a session's work away: the workspace as an archive, the changes since the session's base
// as a patch, or a commit pushed through the git gateway with a link to open a pull request. The
// work happens inside the sandbox (git and tar run there, through sandbox-agent's own API), so it
// needs a running sandbox; core reaches it through the `SessionWorkspaces` port the server gives.
import type { Readable } from "node:stream";
import type { Db } from "@studio/db";
import type { ArchiveFormat } from "@studio/models";
import { gitHostKind } from "../git/credentials.ts";
import { pullRequestUrlFor } from "../git/gateway-session.ts";
import { hostOfUrl } from "../git/host.ts";
import { AppError, conflict, notFound } from "../shared/errors.ts";
import type { WorkspaceReader } from "../workspace/port.ts";
import type { SessionActor } from "./sessions.ts";
import { isLive } from "./state-machine.ts";

/**
 * What the studio does in one session's workspace (packages/sandbox's workspace-git, bound to it),
 * and what the workspace panel reads there (`WorkspaceReader`, packages/core/src/workspace).
 */
export interface SessionWorkspace extends WorkspaceReader {
  /** Commits every change (untracked files included); null when nothing changed. */
  commitAll(input: { message: string; author: { name: string; email: string } }): Promise<{
    commit: string | null;
  }>;
  /** The current HEAD commit. */
  head(): Promise<string>;
  /** Pushes HEAD to `refs/heads/<branch>` on origin (the studio's git gateway). */
  push(branch: string): Promise<{ ok: true } | { ok: false; message: string }>;
  /** Everything changed since `baseCommit`, untracked and binary files included, as `git apply` takes it. */
  changesPatch(baseCommit: string): Promise<Readable>;
  /** The whole workspace as a gzipped tar, with or without `.git`. */
  archive(includeGit: boolean): Promise<Readable>;
}

export interface SessionWorkspaces {
  /** The workspace of a session's running sandbox. */
  open(session: { id: string; sandboxId: string }): Promise<SessionWorkspace>;
}

const resultSelect = {
  id: true,
  status: true,
  title: true,
  sandboxId: true,
  sourceKind: true,
  sourceUrl: true,
  baseCommit: true,
  baseBranch: true,
  workBranch: true,
} as const;

/**
 * The session, if the actor's organisation owns it and its workspace can be reached now. A stopped
 * session's workspace is kept, but the studio runs git and tar only inside the sandbox (never on
 * its own machine, over files an agent wrote), so the session must be resumed first.
 */
async function reachableSession(db: Db, actor: SessionActor, sessionId: string) {
  const session = await db.studioSession.findFirst({
    where: { id: sessionId, organizationId: actor.organizationId },
    select: resultSelect,
  });
  if (!session) throw notFound("Session");
  if (!isLive(session.status) || !session.sandboxId)
    throw conflict(
      session.status === "provisioning"
        ? "The session is still starting; try again when it is ready."
        : "The session is stopped. Resume it to download or push its work: its workspace was kept.",
    );
  if (!session.baseCommit) throw conflict("The session's workspace is still being prepared.");
  return { ...session, sandboxId: session.sandboxId, baseCommit: session.baseCommit };
}

/** A name for downloads: the session's title, or its repository's, made safe for a file name. */
export function downloadBaseName(session: { id: string; title: string | null; sourceUrl: string | null }) {
  const fromUrl = session.sourceUrl
    ?.replace(/\/+$/, "")
    .split("/")
    .at(-1)
    ?.replace(/\.git$/, "");
  const raw = session.title || fromUrl || `session-${session.id.slice(0, 8)}`;
  const safe = raw
    .normalize("NFKD")
    .replace(/[^\w.-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 60);
  return safe || `session-${session.id.slice(0, 8)}`;
}

export interface Download {
  fileName: string;
  contentType: string;
  stream: Readable;
}

export async function sessionArchive(
  db: Db,
  workspaces: SessionWorkspaces,
  actor: SessionActor,
  input: { sessionId: string; format: ArchiveFormat; includeGit: boolean },
  toZip: (tarGz: Readable) => Readable,
): Promise<Download> {
  const session = await reachableSession(db, actor, input.sessionId);
  const workspace = await workspaces.open(session);
  const tarGz = await workspace.archive(input.includeGit);
  const name = downloadBaseName(session);
  return input.format === "zip"
    ? { fileName: `${name}.zip`, contentType: "application/zip", stream: toZip(tarGz) }
    : { fileName: `${name}.tar.gz`, contentType: "application/gzip", stream: tarGz };
}

export async function sessionChangesPatch(
  db: Db,
  workspaces: SessionWorkspaces,
  actor: SessionActor,
  sessionId: string,
): Promise<Download> {
  const session = await reachableSession(db, actor, sessionId);
  const workspace = await workspaces.open(session);
  return {
    fileName: `${downloadBaseName(session)}.patch`,
    contentType: "text/x-diff; charset=utf-8",
    stream: await workspace.changesPatch(session.baseCommit),
  };
}

const SUBJECT_MAX = 72;

/** First line of a prompt, shortened for a commit body's bullet. */
function promptLine(text: string): string {
  const line = text.trim().split("\n")[0]?.trim() ?? "";
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}

/** A commit message from the session's title and what was asked in its turns (pure). */
export function commitMessageFrom(title: string | null, prompts: readonly string[]): string {
  const lines = prompts.map(promptLine).filter(Boolean);
  let subject = title?.trim() || lines[0] || "Changes made in a Studio session";
  if (subject.length > SUBJECT_MAX) subject = `${subject.slice(0, SUBJECT_MAX - 1)}…`;
  const asked = lines.slice(-10);
  if (asked.length === 0) return subject;
  const more = lines.length > asked.length ? [`- … and ${lines.length - asked.length} earlier requests`] : [];
  return [subject, "", "Asked in Studio:", ...more, ...asked.map((line) => `- ${line}`)].join("\n");
}

export async function suggestedCommitMessage(db: Db, actor: SessionActor, sessionId: string) {
  const session = await db.studioSession.findFirst({
    where: { id: sessionId, organizationId: actor.organizationId },
    select: { title: true },
  });
  if (!session) throw notFound("Session");
  const prompts = await db.sessionEvent.findMany({
    where: { sessionId, type: "user_message" },
    orderBy: { seq: "asc" },
    select: { payload: true },
    take: 200,
  });
  const texts = prompts.map(({ payload }) => String((payload as { text?: unknown }).text ?? ""));
  return { message: commitMessageFrom(session.title, texts) };
}

export interface CommitAndPushResult {
  /** The new commit; null when nothing had changed since the last one (then HEAD is pushed). */
  commit: string | null;
  branch: string;
  pushed: boolean;
  pullRequestUrl: string | null;
  /** What happened, in words. */
  message: string;
}

/**
 * Commits everything changed on the session's branch as the member who acts, and pushes it through
 * the git gateway (which records the push in the session's log). Only sessions started from a
 * repository have somewhere to push.
 */
export async function commitAndPush(
  db: Db,
  workspaces: SessionWorkspaces,
  actor: SessionActor,
  input: { sessionId: string; message?: string | undefined },
): Promise<CommitAndPushResult> {
  const session = await reachableSession(db, actor, input.sessionId);
  if (session.sourceKind !== "git" || !session.sourceUrl || !session.workBranch)
    throw new AppError(
      "BAD_REQUEST",
      "This session did not start from a repository, so it has nowhere to push. Download its work instead.",
    );
  const author = await db.user.findUniqueOrThrow({
    where: { id: actor.userId },
    select: { name: true, email: true },
  });
  const message = input.message ?? (await suggestedCommitMessage(db, actor, input.sessionId)).message;
  const workspace = await workspaces.open(session);
  const { commit } = await workspace.commitAll({
    message,
    author: { name: author.name || author.email, email: author.email },
  });
  const head = commit ?? (await workspace.head());
  if (!commit && head === session.baseCommit)
    throw new AppError(
      "BAD_REQUEST",
      "Nothing has changed since the session started: there is nothing to push.",
    );
  const pushed = await workspace.push(session.workBranch);
  if (!pushed.ok)
    throw new AppError(
      "BAD_REQUEST",
      `${commit ? `Committed ${commit.slice(0, 7)}, but the` : "The"} push was refused: ${pushed.message}`,
    );
  const remoteHost = hostOfUrl(new URL(session.sourceUrl));
  const hostKind = remoteHost.ok ? await gitHostKind(db, actor.organizationId, remoteHost.host) : null;
  const pullRequestUrl = pullRequestUrlFor(
    { remoteUrl: session.sourceUrl, baseBranch: session.baseBranch, hostKind },
    `refs/heads/${session.workBranch}`,
  );
  return {
    commit,
    branch: session.workBranch,
    pushed: true,
    pullRequestUrl,
    message: commit
      ? `Committed ${commit.slice(0, 7)} and pushed it to ${session.workBranch}.`
      : `Nothing new to commit; pushed ${head.slice(0, 7)} to ${session.workBranch}.`,
  };
}
