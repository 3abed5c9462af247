// Session tokens after the Lucia guide: the cookie holds `<id>.<secret>`, the database holds the id
// and SHA-256(secret), compared in constant time. Sessions slide: one used in the second half of its
// life is extended to the full duration again.
import type { DbTx } from "@studio/db";
import { type Clock, systemClock } from "../shared/clock.ts";
import { randomToken } from "../shared/ids.ts";
import { hashSecret, secretMatches } from "./secrets.ts";

export const SESSION_DURATION_MS = 30 * 24 * 60 * 60 * 1000;
const RENEW_WHEN_LEFT_MS = SESSION_DURATION_MS / 2;

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  /** Runs the studio: grants platform credits and sets prices for any organisation. */
  platformAdmin: boolean;
}

/** What a request knows about the person behind its cookie or token. */
export const sessionUserSelect = { id: true, email: true, name: true, platformAdmin: true } as const;

export interface ValidSession {
  id: string;
  userId: string;
  activeOrganizationId: string | null;
  expiresAt: Date;
  /** True when this validation extended the expiry: the cookie must be sent again. */
  renewed: boolean;
  user: SessionUser;
}

export interface ClientInfo {
  ipAddress?: string | null;
  userAgent?: string | null;
}

export async function createAuthSession(
  db: DbTx,
  userId: string,
  activeOrganizationId: string | null,
  client: ClientInfo = {},
  clock: Clock = systemClock,
): Promise<{ token: string; expiresAt: Date }> {
  const id = randomToken();
  const secret = randomToken(20);
  const expiresAt = new Date(clock.now().getTime() + SESSION_DURATION_MS);
  await db.authSession.create({
    data: {
      id,
      secretHash: hashSecret(secret),
      userId,
      activeOrganizationId,
      expiresAt,
      ipAddress: client.ipAddress ?? null,
      userAgent: client.userAgent?.slice(0, 300) ?? null,
    },
  });
  return { token: `${id}.${secret}`, expiresAt };
}

export async function validateSessionToken(
  db: DbTx,
  token: string,
  clock: Clock = systemClock,
): Promise<ValidSession | null> {
  const [id, secret, extra] = token.split(".");
  if (!id || !secret || extra !== undefined) return null;
  const row = await db.authSession.findUnique({
    where: { id },
    select: {
      id: true,
      secretHash: true,
      userId: true,
      activeOrganizationId: true,
      expiresAt: true,
      user: { select: sessionUserSelect },
    },
  });
  if (!row || !secretMatches(secret, row.secretHash)) return null;
  const now = clock.now().getTime();
  if (row.expiresAt.getTime() <= now) {
    await db.authSession.deleteMany({ where: { id } });
    return null;
  }
  let expiresAt = row.expiresAt;
  const renewed = expiresAt.getTime() - now < RENEW_WHEN_LEFT_MS;
  if (renewed) {
    expiresAt = new Date(now + SESSION_DURATION_MS);
    await db.authSession.update({ where: { id }, data: { expiresAt, lastSeenAt: new Date(now) } });
  }
  return {
    id: row.id,
    userId: row.userId,
    activeOrganizationId: row.activeOrganizationId,
    expiresAt,
    renewed,
    user: row.user,
  };
}

export async function invalidateSession(db: DbTx, sessionId: string): Promise<void> {
  await db.authSession.deleteMany({ where: { id: sessionId } });
}

export async function invalidateAllSessions(db: DbTx, userId: string): Promise<number> {
  const { count } = await db.authSession.deleteMany({ where: { userId } });
  return count;
}

export async function setActiveOrganization(
  db: DbTx,
  sessionId: string,
  organizationId: string,
): Promise<void> {
  await db.authSession.update({ where: { id: sessionId }, data: { activeOrganizationId: organizationId } });
}
