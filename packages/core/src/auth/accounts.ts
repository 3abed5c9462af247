import type { Db, DbTx } from "@studio/db";
import { createPersonalOrganization } from "../orgs/organizations.ts";
import { type Clock, systemClock } from "../shared/clock.ts";
import { AppError } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import { hashPassword, UNKNOWN_ACCOUNT_HASH, verifyPassword } from "./password.ts";
import type { SignInInput, SignUpInput } from "./schemas.ts";
import { assertNotThrottled, clearAccountFailures, recordFailure, signInThrottleRules } from "./throttle.ts";

export interface Account {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
}

const accountSelect = { id: true, email: true, name: true, createdAt: true } as const;

/** Who may create an account: anyone, or (after the studio's first account) only people invited. */
export type SignUpPolicy = "open" | "invitation";

/** Creates the user and their personal organisation (owner). The caller opens the auth session. */
export async function signUp(
  db: Db,
  input: SignUpInput,
  policy: SignUpPolicy = "open",
  clock: Clock = systemClock,
): Promise<{ user: Account; organizationId: string }> {
  const passwordHash = await hashPassword(input.password);
  const existing = await db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) throw new AppError("CONFLICT", "An account with this email already exists. Sign in instead.");
  if (policy === "invitation" && !(await invitedOrFirst(db, input.email, clock)))
    throw new AppError(
      "FORBIDDEN",
      "New accounts on this studio need an invitation. Ask someone in your organisation to invite this email address.",
    );
  try {
    return await db.$transaction(async (tx) => {
      const platformAdmin = await isFirstAccount(tx);
      const user = await tx.user.create({
        data: { id: newId(), email: input.email, name: input.name, passwordHash, platformAdmin },
        select: accountSelect,
      });
      const organization = await createPersonalOrganization(tx, user);
      return { user, organizationId: organization.id };
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") {
      throw new AppError("CONFLICT", "An account with this email already exists. Sign in instead.");
    }
    throw error;
  }
}

/** A pending invitation to any organisation for this address, or no account yet (whoever sets the studio up). */
async function invitedOrFirst(db: DbTx, email: string, clock: Clock): Promise<boolean> {
  const invitation = await db.invitation.findFirst({
    where: { email, acceptedAt: null, revokedAt: null, expiresAt: { gt: clock.now() } },
    select: { id: true },
  });
  if (invitation) return true;
  return !(await studioHasAccounts(db));
}

export async function studioHasAccounts(db: DbTx): Promise<boolean> {
  return (await db.user.findFirst({ select: { id: true } })) !== null;
}

/**
 * Whether the account being created is the studio's first, which makes its owner a platform admin:
 * whoever sets a studio up runs it. Once any account exists this is one indexed read; before that,
 * sign-ups queue on a lock so two at once cannot both be first.
 */
async function isFirstAccount(tx: DbTx): Promise<boolean> {
  if (await studioHasAccounts(tx)) return false;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_ACCOUNT_LOCK})`;
  return !(await studioHasAccounts(tx));
}

/** An arbitrary advisory-lock key of its own (no other lock in the studio uses it). */
const FIRST_ACCOUNT_LOCK = 7_148_215_901n;

/** Checks the password under the per-account and per-address throttle. */
export async function signIn(
  db: DbTx,
  input: SignInInput,
  ipAddress: string | null | undefined,
  clock: Clock = systemClock,
): Promise<Account> {
  const rules = signInThrottleRules(input.email, ipAddress);
  await assertNotThrottled(db, rules, clock);
  const user = await db.user.findUnique({
    where: { email: input.email },
    select: { ...accountSelect, passwordHash: true },
  });
  const valid = await verifyPassword(input.password, user?.passwordHash ?? UNKNOWN_ACCOUNT_HASH);
  if (!user || !valid) {
    await recordFailure(db, rules, clock);
    throw new AppError("UNAUTHORIZED", "Wrong email or password.");
  }
  await clearAccountFailures(db, input.email);
  const { passwordHash: _omit, ...account } = user;
  return account;
}

export async function getAccount(db: DbTx, userId: string): Promise<Account> {
  const user = await db.user.findUnique({ where: { id: userId }, select: accountSelect });
  if (!user) throw new AppError("UNAUTHORIZED", "Your account no longer exists.");
  return user;
}

export async function updateProfile(db: DbTx, userId: string, input: { name: string }): Promise<Account> {
  return db.user.update({ where: { id: userId }, data: { name: input.name }, select: accountSelect });
}

/** Changes the password and ends every other session of the user. */
export async function changePassword(
  db: DbTx,
  userId: string,
  currentSessionId: string | null,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { passwordHash: true } });
  if (!user || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
    throw new AppError("BAD_REQUEST", "Your current password is not correct.");
  }
  await db.user.update({
    where: { id: userId },
    data: { passwordHash: await hashPassword(input.newPassword) },
  });
  await db.authSession.deleteMany({
    where: { userId, ...(currentSessionId ? { id: { not: currentSessionId } } : {}) },
  });
}
