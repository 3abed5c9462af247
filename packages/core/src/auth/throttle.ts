// Attempts are counted per key (an account, a client address) in Postgres, so every replica sees the
// same counts. An attempt is *reserved* before the password is verified: one statement increments
// the key's count under its row lock and, when that count reaches the allowance, locks the key at
// once, as if the attempt had failed. Concurrent attempts (a tRPC batch, parallel requests) queue on
// the row lock and see each other's reservations, so no more attempts reach the password check than
// the allowance, however they are sent. A successful sign-in gives its reservation back.
import { type DbTx, Prisma } from "@studio/db";
import { type Clock, systemClock } from "../shared/clock.ts";
import { AppError } from "../shared/errors.ts";

const WINDOW_MS = 15 * 60 * 1000;
const BASE_LOCK_MS = 30 * 1000;
const MAX_LOCK_MS = 15 * 60 * 1000;

export interface ThrottleRule {
  key: string;
  /** Attempts allowed in the window before the key locks. */
  freeFailures: number;
  /** How long attempts are remembered (15 minutes unless said). */
  windowMs?: number;
  /** The first lock; each further attempt past the allowance doubles it, up to `maxLockMs`. */
  baseLockMs?: number;
  maxLockMs?: number;
  /** What the person is told while the key is locked. */
  refusal?: string;
}

export function signInThrottleRules(email: string, ipAddress: string | null | undefined): ThrottleRule[] {
  const rules: ThrottleRule[] = [{ key: `email:${email}`, freeFailures: 5 }];
  if (ipAddress) rules.push({ key: `ip:${ipAddress}`, freeFailures: 20 });
  return rules;
}

const SIGN_UPS_PER_ADDRESS = 20;
const SIGN_UP_WINDOW_MS = 60 * 60 * 1000;

/**
 * Sign-ups per client address: every attempt counts, made or refused. Loopback addresses are the
 * studio's own machine (one person's laptop; behind a proxy, set TRUST_PROXY so real addresses are
 * seen): they are not limited.
 */
export function signUpThrottleRules(ipAddress: string | null | undefined): ThrottleRule[] {
  if (!ipAddress || isLoopback(ipAddress)) return [];
  return [
    {
      key: `sign-up:${ipAddress}`,
      freeFailures: SIGN_UPS_PER_ADDRESS,
      windowMs: SIGN_UP_WINDOW_MS,
      baseLockMs: SIGN_UP_WINDOW_MS,
      maxLockMs: SIGN_UP_WINDOW_MS,
      refusal: "Too many accounts were created from your network.",
    },
  ];
}

function isLoopback(address: string): boolean {
  const v4 = address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
  return v4.startsWith("127.") || address === "::1";
}

/** Lock length after `failures` attempts, given the rule's allowance; pure for testing. */
export function lockDurationMs(
  failures: number,
  freeFailures: number,
  baseLockMs = BASE_LOCK_MS,
  maxLockMs = MAX_LOCK_MS,
): number {
  if (failures < freeFailures) return 0;
  return Math.min(maxLockMs, baseLockMs * 2 ** Math.min(failures - freeFailures, 30));
}

function lockedError(rule: ThrottleRule, lockedUntil: Date | null, now: Date): AppError {
  const seconds = Math.max(1, Math.ceil(((lockedUntil?.getTime() ?? now.getTime()) - now.getTime()) / 1000));
  const wait = seconds >= 90 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
  return new AppError(
    "TOO_MANY_REQUESTS",
    `${rule.refusal ?? "Too many failed sign-in attempts."} Try again in ${wait}.`,
    { retryAfterSeconds: seconds },
  );
}

/**
 * Reserves one attempt on the rule's key in one statement, or returns null when the key is locked.
 * `failures` counts attempts reserved in the window (given back on success); the attempt that
 * reaches the allowance sets the lock itself, so the ones queued behind it find the key locked.
 */
async function reserveOne(db: DbTx, rule: ThrottleRule, now: Date): Promise<boolean> {
  const at = Prisma.sql`CAST(${now} AS timestamp(3))`;
  const free = rule.freeFailures;
  const windowStart = new Date(now.getTime() - (rule.windowMs ?? WINDOW_MS));
  const base = rule.baseLockMs ?? BASE_LOCK_MS;
  const max = rule.maxLockMs ?? MAX_LOCK_MS;
  // The count after this attempt: a window that has run out starts again (a locked key never
  // reaches this point, see WHERE).
  const attempts = Prisma.sql`(CASE WHEN t.window_starts_at < ${windowStart} THEN 1 ELSE t.failures + 1 END)`;
  const firstLockMs = lockDurationMs(1, free, base, max);
  const rows = await db.$queryRaw<{ failures: number }[]>`
    INSERT INTO sign_in_throttles AS t (key, failures, window_starts_at, locked_until)
    VALUES (${rule.key}, 1, ${at}, ${firstLockMs > 0 ? Prisma.sql`${at} + ${firstLockMs} * interval '1 millisecond'` : null})
    ON CONFLICT (key) DO UPDATE SET
      failures = ${attempts},
      window_starts_at = CASE WHEN t.window_starts_at < ${windowStart} THEN ${at} ELSE t.window_starts_at END,
      locked_until = CASE WHEN ${attempts} >= ${free}
        THEN ${at} + LEAST(${max}::float8, ${base}::float8 * power(2, LEAST(${attempts} - ${free}, 30))) * interval '1 millisecond'
        ELSE t.locked_until END
    WHERE t.locked_until IS NULL OR t.locked_until <= ${at}
    RETURNING failures`;
  return rows.length > 0;
}

/**
 * Gives one reservation back: the attempt succeeded, or never reached the password check. A lock
 * the attempt itself set (it was the last one allowed) goes with it.
 */
async function releaseOne(db: DbTx, rule: ThrottleRule) {
  await db.$executeRaw`
    UPDATE sign_in_throttles SET
      failures = GREATEST(failures - 1, 0),
      locked_until = CASE WHEN failures - 1 < ${rule.freeFailures} THEN NULL ELSE locked_until END
    WHERE key = ${rule.key} AND failures > 0`;
}

export interface Reservation {
  /** Give the attempts back (a success, or an attempt that never reached the check). */
  release(): Promise<void>;
}

/**
 * Reserves an attempt under every rule, before the work they guard; throws TOO_MANY_REQUESTS (and
 * gives back what it took) when any key is locked.
 */
export async function reserveAttempt(
  db: DbTx,
  rules: ThrottleRule[],
  clock: Clock = systemClock,
): Promise<Reservation> {
  const now = clock.now();
  const taken: ThrottleRule[] = [];
  const release = async () => {
    for (const rule of taken.splice(0)) await releaseOne(db, rule);
  };
  for (const rule of rules) {
    if (await reserveOne(db, rule, now)) {
      taken.push(rule);
      continue;
    }
    await release();
    const row = await db.signInThrottle.findUnique({
      where: { key: rule.key },
      select: { lockedUntil: true },
    });
    throw lockedError(rule, row?.lockedUntil ?? null, now);
  }
  return { release };
}

/** A successful sign-in clears the account's counter (not the address's: that one guards spraying). */
export async function clearAccountFailures(db: DbTx, email: string) {
  await db.signInThrottle.deleteMany({ where: { key: `email:${email}` } });
}
