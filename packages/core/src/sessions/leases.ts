// Which replica runs which session: a lease row on the session, claimed with SKIP LOCKED so
// replicas never block each other, renewed while alive, taken over when it lapses. Used by the
// runner manager (packages/runner), through `@studio/core/runner`.
import type { Db } from "@studio/db";
import type { LiveStatus } from "./state-machine.ts";

export interface ClaimedSession {
  id: string;
  status: LiveStatus;
  createdAt: Date;
}

/**
 * Claims sessions whose lease is free, oldest first. Sessions still to be provisioned are counted
 * apart (`provisioning`): each costs a sandbox start, and a replica takes on only as many as it can
 * start soon, leaving the rest to replicas with free slots. Live sessions (a takeover, a re-attach)
 * have their own limit, so a long provisioning queue never keeps a running turn waiting.
 */
export async function claimExpiredLeases(
  db: Db,
  runnerId: string,
  leaseMs: number,
  limits: { live: number; provisioning: number },
): Promise<ClaimedSession[]> {
  const claim = (statuses: string[], limit: number) =>
    limit <= 0
      ? Promise.resolve([])
      : db.$queryRaw<ClaimedSession[]>`
    UPDATE studio_sessions SET runner_id = ${runnerId},
      runner_lease_expires_at = now() + make_interval(secs => ${leaseMs / 1000})
    WHERE id IN (
      SELECT id FROM studio_sessions
      WHERE status::text = ANY(${statuses}::text[])
        AND (runner_lease_expires_at IS NULL OR runner_lease_expires_at < now())
      ORDER BY created_at
      FOR UPDATE SKIP LOCKED
      LIMIT ${limit}
    )
    RETURNING id, status::text AS status, created_at AS "createdAt"`;
  const live = await claim(["ready", "active", "idle"], limits.live);
  const provisioning = await claim(["provisioning"], limits.provisioning);
  // UPDATE … RETURNING keeps no order: the queue is served oldest first.
  provisioning.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return [...live, ...provisioning];
}

/**
 * Renews this replica's leases; returns the ids it still holds (others were lost or ended). Rows
 * are locked in id order, as the grouped event appends lock them, so the two never deadlock.
 */
export async function renewLeases(
  db: Db,
  runnerId: string,
  sessionIds: string[],
  leaseMs: number,
): Promise<Set<string>> {
  if (sessionIds.length === 0) return new Set();
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE studio_sessions SET runner_lease_expires_at = now() + make_interval(secs => ${leaseMs / 1000})
    WHERE id IN (
      SELECT id FROM studio_sessions
      WHERE id = ANY(${sessionIds}::text[]) AND runner_id = ${runnerId}
        AND status IN ('provisioning', 'ready', 'active', 'idle')
      ORDER BY id FOR UPDATE
    )
    RETURNING id`;
  return new Set(rows.map((row) => row.id));
}

/**
 * On a clean shutdown: let another replica take over at once instead of after the lease lapses.
 * Locks in id order, like renewLeases.
 */
export async function releaseLeases(db: Db, runnerId: string) {
  await db.$executeRaw`
    UPDATE studio_sessions SET runner_id = NULL, runner_lease_expires_at = NULL, updated_at = now()
    WHERE id IN (SELECT id FROM studio_sessions WHERE runner_id = ${runnerId} ORDER BY id FOR UPDATE)`;
}

/** Live sessions whose idle timer ran out, among those this replica runs. */
export async function idleExpired(db: Db, runnerId: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM studio_sessions
    WHERE runner_id = ${runnerId} AND status IN ('ready', 'idle')
      AND last_activity_at + make_interval(secs => idle_timeout_seconds) < now()`;
  return rows.map((row) => row.id);
}
