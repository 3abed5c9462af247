// Shareable preview links: a member who may work in the session (its creator, the organisation's
// owners and admins) makes a signed, expiring link that opens one port's preview for whoever holds
// it, if the organisation allows it. Only in subdomain mode: on the studio's own origin (path mode)
// a shared app's scripts would run with the rights of any signed-in person who opened the link.
// Nothing is stored but a notice in the session's log; turning sharing off ends every link at once,
// since each request through a shared link asks again.
import type { DbTx } from "@studio/db";
import type { Keyring } from "../keys/keyring.ts";
import { appendEvents } from "../sessions/event-log.ts";
import type { SessionActor } from "../sessions/sessions.ts";
import { type AppError, conflict, forbidden, notFound } from "../shared/errors.ts";
import { signPreviewGrant } from "./grants.ts";
import type { PreviewSandbox } from "./port.ts";
import { previewOrigin, previewSandboxFor, runningSandbox } from "./previews.ts";

/** Where a preview's origin turns a grant into its cookie. */
export const PREVIEW_HANDOFF_PATH = "/__studio_preview_handoff";

export const SHARING_OFF_MESSAGE =
  "Your organisation does not allow shared preview links. An owner or admin can allow them in Settings.";

export interface PreviewStudio {
  publicUrl: string;
  previewDomain: string | null;
}

/**
 * Why the actor may not share the session's previews, or null when they may. NOT_FOUND for
 * another organisation's session, as everywhere.
 */
async function shareRefusal(
  db: DbTx,
  studio: PreviewStudio,
  actor: SessionActor,
  sessionId: string,
): Promise<AppError | null> {
  const session = await db.studioSession.findFirst({
    where: { id: sessionId, organizationId: actor.organizationId },
    select: { userId: true, organization: { select: { previewSharing: true } } },
  });
  if (!session) throw notFound("Session");
  const membership = await db.membership.findFirst({
    where: { organizationId: actor.organizationId, userId: actor.userId },
    select: { role: true },
  });
  if (!membership) throw notFound("Session");
  if (session.userId !== actor.userId && membership.role === "member")
    return forbidden(
      "Only the session's creator and the organisation's owners and admins can share its previews.",
    );
  if (!session.organization.previewSharing) return forbidden(SHARING_OFF_MESSAGE);
  if (!studio.previewDomain)
    return conflict(
      "Previews can be shared only where they have their own domain (PREVIEW_DOMAIN): on the studio's own address a shared app would run with its visitors' rights.",
    );
  return null;
}

/** Whether the actor may make shared links to the session's previews (the page offers it). */
export async function maySharePreviews(
  db: DbTx,
  studio: PreviewStudio,
  actor: SessionActor,
  sessionId: string,
): Promise<boolean> {
  return (await shareRefusal(db, studio, actor, sessionId)) === null;
}

export async function sharePreview(
  db: DbTx,
  keyring: Keyring,
  studio: PreviewStudio,
  actor: SessionActor,
  input: { sessionId: string; port: number; expiresInMinutes: number },
  now = Date.now(),
): Promise<{ url: string; expiresAt: Date }> {
  const refusal = await shareRefusal(db, studio, actor, input.sessionId);
  if (refusal) throw refusal;
  // Running now, or there is nothing to open.
  await previewSandboxFor(db, actor, input.sessionId);
  const expiresAt = now + input.expiresInMinutes * 60_000;
  const grant = signPreviewGrant(keyring, {
    use: "share",
    sessionId: input.sessionId.toLowerCase(),
    port: input.port,
    userId: null,
    organizationId: actor.organizationId,
    expiresAt,
  });
  const sharer = await db.user.findUnique({ where: { id: actor.userId }, select: { name: true } });
  const until = new Date(expiresAt).toISOString().slice(0, 16).replace("T", " ");
  await appendEvents(db, input.sessionId, [
    {
      type: "notice",
      level: "info",
      code: "preview_shared",
      message: `${sharer?.name ?? "Someone"} shared a link to the preview of port ${input.port}, open until ${until} UTC`,
    },
  ]);
  const origin = previewOrigin(studio, input.sessionId, input.port);
  return {
    url: `${origin}${PREVIEW_HANDOFF_PATH}?${new URLSearchParams({ grant })}`,
    expiresAt: new Date(expiresAt),
  };
}

/**
 * The running sandbox a shared link opens, while its organisation still allows sharing. Anything
 * else is NOT_FOUND (a link whose session went elsewhere says nothing about it) or CONFLICT (stopped).
 */
export async function sharedPreviewSandbox(
  db: DbTx,
  organizationId: string,
  sessionId: string,
): Promise<PreviewSandbox> {
  const session = await db.studioSession.findFirst({
    where: { id: sessionId, organizationId },
    select: {
      id: true,
      organizationId: true,
      status: true,
      sandboxId: true,
      organization: { select: { previewSharing: true } },
    },
  });
  if (!session) throw notFound("Session");
  if (!session.organization.previewSharing)
    throw forbidden("This shared preview link no longer opens: its organisation stopped sharing previews.");
  return runningSandbox(session);
}
