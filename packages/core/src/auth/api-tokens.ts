// Personal API tokens for programs: `st_<id>_<secret>`, shown once; the database keeps SHA-256(secret).
// A token acts as its user inside the one organisation it was made in.
import type { DbTx } from "@studio/db";
import { type Clock, systemClock } from "../shared/clock.ts";
import { notFound } from "../shared/errors.ts";
import { newId, randomToken } from "../shared/ids.ts";
import { hashSecret, secretMatches } from "./secrets.ts";
import { type SessionUser, sessionUserSelect } from "./sessions.ts";

const TOKEN_PATTERN = /^st_([a-z2-7]{24})_([a-z2-7]{32})$/;
// Writing last-used on every call would turn reads into writes; a minute's precision is enough.
const LAST_USED_PRECISION_MS = 60_000;

export interface ApiTokenSummary {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

const summarySelect = {
  id: true,
  name: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
} as const;

export async function createApiToken(
  db: DbTx,
  owner: { userId: string; organizationId: string },
  input: { name: string; expiresInDays: number | null },
  clock: Clock = systemClock,
): Promise<{ token: string; summary: ApiTokenSummary }> {
  const id = newId();
  const secret = randomToken(20);
  const expiresAt =
    input.expiresInDays === null ? null : new Date(clock.now().getTime() + input.expiresInDays * 86_400_000);
  const summary = await db.apiToken.create({
    data: { id, ...owner, name: input.name, secretHash: hashSecret(secret), expiresAt },
    select: summarySelect,
  });
  return { token: `st_${id}_${secret}`, summary };
}

export function listApiTokens(db: DbTx, owner: { userId: string; organizationId: string }) {
  return db.apiToken.findMany({ where: owner, select: summarySelect, orderBy: { createdAt: "desc" } });
}

/** Every live token of the organisation with its owner (what managers may set budgets on). */
export function listOrganizationApiTokens(db: DbTx, organizationId: string, now = new Date()) {
  return db.apiToken.findMany({
    where: { organizationId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    select: { id: true, name: true, user: { select: { name: true } } },
    orderBy: { createdAt: "desc" },
    take: 1_000,
  });
}

export async function revokeApiToken(
  db: DbTx,
  owner: { userId: string; organizationId: string },
  tokenId: string,
  clock: Clock = systemClock,
): Promise<ApiTokenSummary> {
  const { count } = await db.apiToken.updateMany({
    where: { id: tokenId, ...owner, revokedAt: null },
    data: { revokedAt: clock.now() },
  });
  const token = await db.apiToken.findFirst({ where: { id: tokenId, ...owner }, select: summarySelect });
  if (!token || (count === 0 && !token.revokedAt)) throw notFound("API token");
  return token;
}

/** Revokes every live token of the user, in every organisation; returns how many. */
export async function revokeAllApiTokens(
  db: DbTx,
  userId: string,
  clock: Clock = systemClock,
): Promise<number> {
  const { count } = await db.apiToken.updateMany({
    where: { userId, revokedAt: null },
    data: { revokedAt: clock.now() },
  });
  return count;
}

export interface ValidApiToken {
  id: string;
  userId: string;
  organizationId: string;
  user: SessionUser;
}

export async function validateApiToken(
  db: DbTx,
  token: string,
  clock: Clock = systemClock,
): Promise<ValidApiToken | null> {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return null;
  const [, id, secret] = match as unknown as [string, string, string];
  const row = await db.apiToken.findUnique({
    where: { id },
    select: {
      id: true,
      userId: true,
      organizationId: true,
      secretHash: true,
      expiresAt: true,
      revokedAt: true,
      lastUsedAt: true,
      user: { select: sessionUserSelect },
    },
  });
  if (!row || !secretMatches(secret, row.secretHash) || row.revokedAt) return null;
  const now = clock.now();
  if (row.expiresAt && row.expiresAt <= now) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
    await db.apiToken.update({ where: { id }, data: { lastUsedAt: now } });
  }
  return { id: row.id, userId: row.userId, organizationId: row.organizationId, user: row.user };
}
