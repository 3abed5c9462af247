// The workspace panel's reads: a folder, a file, the changes since the session's base and one
// file's diff, for a member of the session's organisation while its sandbox runs. The work is done
// inside the sandbox (see port.ts); a stopped session's workspace is kept but not read, for the
// same reason as downloads: the studio never runs git over files an agent wrote on its own machine.
import type { Db } from "@studio/db";
import type { SessionWorkspaces } from "../sessions/results.ts";
import type { SessionActor } from "../sessions/sessions.ts";
import { isLive } from "../sessions/state-machine.ts";
import { conflict, notFound } from "../shared/errors.ts";
import type {
  WorkspaceChangesView,
  WorkspaceDiffView,
  WorkspaceFileView,
  WorkspaceListingView,
} from "./port.ts";

export const WORKSPACE_STOPPED_MESSAGE =
  "The session is stopped. Resume it to see its workspace: it was kept.";
export const WORKSPACE_PREPARING_MESSAGE = "The workspace is still being prepared.";

/** The session's running workspace and base, if the actor's organisation owns the session. */
async function openWorkspace(db: Db, workspaces: SessionWorkspaces, actor: SessionActor, sessionId: string) {
  const session = await db.studioSession.findFirst({
    where: { id: sessionId, organizationId: actor.organizationId },
    select: { id: true, status: true, sandboxId: true, baseCommit: true },
  });
  if (!session) throw notFound("Session");
  if (session.status === "provisioning") throw conflict(WORKSPACE_PREPARING_MESSAGE);
  if (!isLive(session.status)) throw conflict(WORKSPACE_STOPPED_MESSAGE);
  if (!session.sandboxId || !session.baseCommit) throw conflict(WORKSPACE_PREPARING_MESSAGE);
  const workspace = await workspaces.open({ id: session.id, sandboxId: session.sandboxId });
  return { workspace, baseCommit: session.baseCommit };
}

export async function workspacePanelList(
  db: Db,
  workspaces: SessionWorkspaces,
  actor: SessionActor,
  input: { sessionId: string; path: string },
): Promise<WorkspaceListingView> {
  const { workspace, baseCommit } = await openWorkspace(db, workspaces, actor, input.sessionId);
  return workspace.list(input.path, baseCommit);
}

export async function workspacePanelFile(
  db: Db,
  workspaces: SessionWorkspaces,
  actor: SessionActor,
  input: { sessionId: string; path: string },
): Promise<WorkspaceFileView> {
  const { workspace } = await openWorkspace(db, workspaces, actor, input.sessionId);
  return workspace.file(input.path);
}

export async function workspacePanelChanges(
  db: Db,
  workspaces: SessionWorkspaces,
  actor: SessionActor,
  input: { sessionId: string },
): Promise<WorkspaceChangesView> {
  const { workspace, baseCommit } = await openWorkspace(db, workspaces, actor, input.sessionId);
  return workspace.changes(baseCommit);
}

export async function workspacePanelDiff(
  db: Db,
  workspaces: SessionWorkspaces,
  actor: SessionActor,
  input: { sessionId: string; path: string },
): Promise<WorkspaceDiffView> {
  const { workspace, baseCommit } = await openWorkspace(db, workspaces, actor, input.sessionId);
  return workspace.diff(baseCommit, input.path);
}
