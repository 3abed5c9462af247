import type { Db, DbTx } from "@studio/db";
import { invitationAllowsSignUp } from "../orgs/invitations.ts";
import { createPersonalOrganization } from "../orgs/organizations.ts";
import { type Clock, systemClock } from "../shared/clock.ts";
import { AppError } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import { revokeAllApiTokens } from "./api-tokens.ts";
import { hashPassword, UNKNOWN_ACCOUNT_HASH, verifyPassword } from "./password.ts";
import type { SignInInput, SignUpInput } from "./schemas.ts";
import { invalidateAllSessions } from "./sessions.ts";
import {
  clearAccountFailures,
  reserveAttempt,
  signInThrottleRules,
  signUpThrottleRules,
} from "./throttle.ts";

export interface Account {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
}

const accountSelect = { id: true, email: true, name: true, createdAt: true } as const;

/** Who may create an account: anyone, or (after the studio's first account) only people invited. */
export type SignUpPolicy = "open" | "invitation";

/** What sign-up answers to every refusal, whatever the reason: it reveals no account or invitation. */
export function signUpRefused(policy: SignUpPolicy): AppError {
  return new AppError(
    "FORBIDDEN",
    policy === "invitation"
      ? "We couldn't create an account with these details. New accounts here need an invitation: open the link in yours and use the address it was sent to. If you already have an account, sign in instead."
      : "We couldn't create an account with these details. If you already have an account, sign in instead.",
  );
}

export interface SignUpOptions {
  /** The client's address, for the per-address limit on sign-ups. */
  ipAddress?: string | null;
  clock?: Clock;
}

/**
 * Creates the user and their personal organisation (owner). The caller opens the auth session.
 * Everything that can refuse runs before the password is hashed: the per-address limit, the
 * policy (under `invitation`, the invitation's own token for this address) and an existing account.
 */
export async function signUp(
  db: Db,
  input: SignUpInput,
  policy: SignUpPolicy = "open",
  options: SignUpOptions = {},
): Promise<{ user: Account; organizationId: string }> {
  const clock = options.clock ?? systemClock;
  await reserveAttempt(db, signUpThrottleRules(options.ipAddress), clock);
  const allowed = (tx: DbTx) =>
    policy === "open" || invitationAllowsSignUp(tx, input.invitationToken, input.email, clock);
  if (!(await allowed(db)) && (await studioHasAccounts(db))) throw signUpRefused(policy);
  const existing = await db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) throw signUpRefused(policy);
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const platformAdmin = await isFirstAccount(tx);
      // Checked again now the first account is settled: two sign-ups at once cannot both be first.
      if (!platformAdmin && !(await allowed(tx))) throw signUpRefused(policy);
      const user = await tx.user.create({
        data: { id: newId(), email: input.email, name: input.name, passwordHash, platformAdmin },
        select: accountSelect,
      });
      const organization = await createPersonalOrganization(tx, user);
      return { user, organizationId: organization.id };
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw signUpRefused(policy);
    throw error;
  }
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

/**
 * Checks the password under the per-account and per-address throttle. The attempt is reserved
 * before the password is verified (see throttle.ts), so parallel attempts cannot all pass the check.
 */
export async function signIn(
  db: DbTx,
  input: SignInInput,
  ipAddress: string | null | undefined,
  clock: Clock = systemClock,
): Promise<Account> {
  const reservation = await reserveAttempt(db, signInThrottleRules(input.email, ipAddress), clock);
  let user: (Account & { passwordHash: string }) | null;
  let valid: boolean;
  try {
    user = await db.user.findUnique({
      where: { email: input.email },
      select: { ...accountSelect, passwordHash: true },
    });
    valid = await verifyPassword(input.password, user?.passwordHash ?? UNKNOWN_ACCOUNT_HASH);
  } catch (error) {
    // Never checked (the database failed, or hashing was too busy): not a failed attempt.
    await reservation.release();
    throw error;
  }
  // A wrong password keeps its reservation: that is the failure being counted.
  if (!user || !valid) throw new AppError("UNAUTHORIZED", "Wrong email or password.");
  await reservation.release();
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

export interface EndedAccess {
  endedSessions: number;
  revokedApiTokens: number;
}

/**
 * Checks a signed-in person's password before something sensitive, under their account's sign-in
 * throttle (so it cannot be used to guess it): `wrong` is what a wrong one is told.
 */
export async function confirmPassword(
  db: Db,
  userId: string,
  password: string,
  wrong: string,
  clock: Clock = systemClock,
): Promise<void> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { email: true, passwordHash: true },
  });
  if (!user) throw new AppError("UNAUTHORIZED", "Your account no longer exists.");
  const reservation = await reserveAttempt(db, signInThrottleRules(user.email, null), clock);
  let valid: boolean;
  try {
    valid = await verifyPassword(password, user.passwordHash);
  } catch (error) {
    await reservation.release();
    throw error;
  }
  if (!valid) throw new AppError("BAD_REQUEST", wrong);
  await reservation.release();
  await clearAccountFailures(db, user.email);
}

/**
 * Changes the password and ends every other session of the user, and their API tokens when asked.
 * The current password is checked under the account's sign-in throttle.
 */
export async function changePassword(
  db: Db,
  userId: string,
  currentSessionId: string | null,
  input: { currentPassword: string; newPassword: string; revokeApiTokens?: boolean },
  clock: Clock = systemClock,
): Promise<EndedAccess> {
  await confirmPassword(db, userId, input.currentPassword, "Your current password is not correct.", clock);
  const passwordHash = await hashPassword(input.newPassword);
  return db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash } });
    const { count: endedSessions } = await tx.authSession.deleteMany({
      where: { userId, ...(currentSessionId ? { id: { not: currentSessionId } } : {}) },
    });
    const revokedApiTokens = input.revokeApiTokens ? await revokeAllApiTokens(tx, userId, clock) : 0;
    return { endedSessions, revokedApiTokens };
  });
}

/** Ends every browser session of the user (this one included), and their API tokens when asked. */
export async function signOutEverywhere(
  db: Db,
  userId: string,
  options: { revokeApiTokens?: boolean } = {},
  clock: Clock = systemClock,
): Promise<EndedAccess> {
  return db.$transaction(async (tx) => ({
    endedSessions: await invalidateAllSessions(tx, userId),
    revokedApiTokens: options.revokeApiTokens ? await revokeAllApiTokens(tx, userId, clock) : 0,
  }));
}
