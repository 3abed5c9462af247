// Failed sign-ins are counted per account and per client address in Postgres, so every replica
// sees the same counts. Past a threshold the key is locked, each further failure doubling the lock.
import type { DbTx } from "@studio/db";
import { type Clock, systemClock } from "../shared/clock.ts";
import { AppError } from "../shared/errors.ts";

const WINDOW_MS = 15 * 60 * 1000;
const BASE_LOCK_MS = 30 * 1000;
const MAX_LOCK_MS = 15 * 60 * 1000;

export interface ThrottleRule {
  key: string;
  /** Failures allowed in the window before the key locks. */
  freeFailures: number;
}

export function signInThrottleRules(email: string, ipAddress: string | null | undefined): ThrottleRule[] {
  const rules: ThrottleRule[] = [{ key: `email:${email}`, freeFailures: 5 }];
  if (ipAddress) rules.push({ key: `ip:${ipAddress}`, freeFailures: 20 });
  return rules;
}

/** Lock length after `failures` failures, given the rule's allowance; pure for testing. */
export function lockDurationMs(failures: number, freeFailures: number): number {
  if (failures < freeFailures) return 0;
  return Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** (failures - freeFailures));
}

export async function assertNotThrottled(db: DbTx, rules: ThrottleRule[], clock: Clock = systemClock) {
  const rows = await db.signInThrottle.findMany({ where: { key: { in: rules.map((rule) => rule.key) } } });
  const now = clock.now().getTime();
  const lockedUntil = Math.max(0, ...rows.map((row) => row.lockedUntil?.getTime() ?? 0));
  if (lockedUntil > now) {
    const seconds = Math.ceil((lockedUntil - now) / 1000);
    const wait = seconds >= 90 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
    throw new AppError("TOO_MANY_REQUESTS", `Too many failed sign-in attempts. Try again in ${wait}.`, {
      retryAfterSeconds: seconds,
    });
  }
}

export async function recordFailure(db: DbTx, rules: ThrottleRule[], clock: Clock = systemClock) {
  const now = clock.now();
  for (const rule of rules) {
    // One statement: concurrent failures must not overwrite each other's count.
    const rows = await db.$queryRaw<{ failures: number }[]>`
      INSERT INTO sign_in_throttles (key, failures, window_starts_at)
      VALUES (${rule.key}, 1, ${now})
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN sign_in_throttles.window_starts_at < ${new Date(now.getTime() - WINDOW_MS)}
                        AND (sign_in_throttles.locked_until IS NULL OR sign_in_throttles.locked_until < ${now})
                        THEN 1 ELSE sign_in_throttles.failures + 1 END,
        window_starts_at = CASE WHEN sign_in_throttles.window_starts_at < ${new Date(now.getTime() - WINDOW_MS)}
                        AND (sign_in_throttles.locked_until IS NULL OR sign_in_throttles.locked_until < ${now})
                        THEN ${now} ELSE sign_in_throttles.window_starts_at END
      RETURNING failures`;
    const failures = rows[0]?.failures ?? 1;
    const lockMs = lockDurationMs(failures, rule.freeFailures);
    if (lockMs > 0) {
      await db.signInThrottle.update({
        where: { key: rule.key },
        data: { lockedUntil: new Date(now.getTime() + lockMs) },
      });
    }
  }
}

/** A successful sign-in clears the account's counter (not the address's: that one guards spraying). */
export async function clearAccountFailures(db: DbTx, email: string) {
  await db.signInThrottle.deleteMany({ where: { key: `email:${email}` } });
}
