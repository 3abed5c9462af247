// Previews of what a session's sandbox serves: which ports it listens on, and who may reach them
// through the studio's preview proxy (members of the session's organisation, while it runs).
import type { DbTx } from "@studio/db";
import type { SessionActor } from "../sessions/sessions.ts";
import { isLive } from "../sessions/state-machine.ts";
import { conflict, notFound } from "../shared/errors.ts";
import type { PreviewSandbox, SessionPreviewsPort } from "./port.ts";

export const PREVIEWS_STOPPED_MESSAGE = "The session is stopped. Resume it to open its previews.";
export const PREVIEWS_PREPARING_MESSAGE = "The sandbox is still being prepared.";

interface PreviewSessionRow {
  id: string;
  organizationId: string;
  status: Parameters<typeof isLive>[0];
  sandboxId: string | null;
}

/** The sandbox of a session that is running; CONFLICT, saying why, for one that is not. */
export function runningSandbox(session: PreviewSessionRow): PreviewSandbox {
  if (session.status === "provisioning") throw conflict(PREVIEWS_PREPARING_MESSAGE);
  if (!isLive(session.status)) throw conflict(PREVIEWS_STOPPED_MESSAGE);
  if (!session.sandboxId) throw conflict(PREVIEWS_PREPARING_MESSAGE);
  return { id: session.id, sandboxId: session.sandboxId };
}

/**
 * The session's running sandbox, for a user who is a member of the session's organisation
 * (whichever organisation they have open: a preview link works from any tab). `organizationId`
 * narrows it to one organisation (an API token's). Another organisation's session, or one that
 * does not exist, is NOT_FOUND, the same answer; a session that is not running is CONFLICT.
 */
export async function previewSandboxFor(
  db: DbTx,
  who: { userId: string; organizationId?: string | undefined },
  sessionId: string,
): Promise<PreviewSandbox> {
  const session = await db.studioSession.findFirst({
    where: { id: sessionId, ...(who.organizationId ? { organizationId: who.organizationId } : {}) },
    select: { id: true, organizationId: true, status: true, sandboxId: true },
  });
  if (!session) throw notFound("Session");
  const membership = await db.membership.findFirst({
    where: { organizationId: session.organizationId, userId: who.userId },
    select: { role: true },
  });
  if (!membership) throw notFound("Session");
  return runningSandbox(session);
}

/** The ports the session's sandbox listens on, ascending, for a member of the actor's organisation. */
export async function listPreviewPorts(
  db: DbTx,
  previews: SessionPreviewsPort,
  actor: SessionActor,
  sessionId: string,
): Promise<number[]> {
  const sandbox = await previewSandboxFor(db, actor, sessionId);
  return previews.listPorts(sandbox);
}

/** Path mode: `/preview/<session>/<port>/` on the studio's own origin. */
export function previewPathPrefix(sessionId: string, port: number): string {
  return `/preview/${sessionId}/${port}`;
}

/**
 * Subdomain mode's origin for a preview: the studio's scheme and port (wildcard DNS points the
 * names at the studio), `<port>-<session>` under the preview domain.
 */
export function previewOrigin(
  studio: { publicUrl: string; previewDomain?: string | null | undefined },
  sessionId: string,
  port: number,
): string {
  const { protocol, port: studioPort } = new URL(studio.publicUrl);
  const name = `${port}-${sessionId.toLowerCase()}.${studio.previewDomain}`;
  return `${protocol}//${name}${studioPort ? `:${studioPort}` : ""}`;
}

/**
 * Where the browser opens a preview: `https://<port>-<session>.<domain>/` when the studio has a
 * preview domain (subdomain mode), else under the studio's own origin (path mode).
 */
export function previewUrl(
  studio: { publicUrl: string; previewDomain?: string | null | undefined },
  sessionId: string,
  port: number,
): string {
  if (studio.previewDomain) return `${previewOrigin(studio, sessionId, port)}/`;
  return `${studio.publicUrl.replace(/\/+$/, "")}${previewPathPrefix(sessionId, port)}/`;
}
