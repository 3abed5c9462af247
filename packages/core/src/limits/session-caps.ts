// Concurrent live sessions: per member, per organisation and studio-wide, checked inside session
// creation's transaction. Creations racing for the last place are serialised with transaction-scoped
// advisory locks (the studio's key first, then the organisation's, always in that order, so two
// creations never wait on each other crosswise); under READ COMMITTED the count that follows the
// lock sees every session committed by whoever held it before, so two racing creations cannot both
// pass. Members are counted under their organisation's lock: a member is always in one.
import { type DbTx, Prisma } from "@studio/db";
import type { SessionActor } from "../sessions/sessions.ts";
import { LIVE_STATUSES } from "../sessions/state-machine.ts";
import { AppError } from "../shared/errors.ts";

export interface StudioSessionCaps {
  /** Live sessions at once across the whole studio; null: no cap. */
  studio: number | null;
  /** Defaults when an organisation sets none. */
  perOrganization: number | null;
  perMember: number | null;
}

/** The caps that apply to one organisation: its own columns up to the studio's, else the studio's. */
export interface EffectiveSessionCaps {
  studio: number | null;
  organization: number | null;
  member: number | null;
}

const STUDIO_LOCK_KEY = "session-caps:studio";
const organizationLockKey = (organizationId: string) => `session-caps:org:${organizationId}`;

/**
 * Refuses (CONFLICT, with the reason and the current count) a new session past any cap. Call it
 * first in the transaction that creates the session: the locks it takes are held until that commits.
 */
export async function assertSessionCapacity(
  tx: DbTx,
  actor: SessionActor,
  caps: StudioSessionCaps | undefined,
): Promise<void> {
  const organization = await tx.organization.findUnique({
    where: { id: actor.organizationId },
    select: { maxLiveSessions: true, maxLiveSessionsPerMember: true },
  });
  // An organisation may hold itself to fewer sessions than the studio's defaults, never to more.
  const effective: EffectiveSessionCaps = {
    studio: caps?.studio ?? null,
    organization: tighter(organization?.maxLiveSessions ?? null, caps?.perOrganization ?? null),
    member: tighter(organization?.maxLiveSessionsPerMember ?? null, caps?.perMember ?? null),
  };
  if (effective.studio === null && effective.organization === null && effective.member === null) return;

  if (effective.studio !== null) await advisoryLock(tx, STUDIO_LOCK_KEY);
  if (effective.organization !== null || effective.member !== null)
    await advisoryLock(tx, organizationLockKey(actor.organizationId));

  const live = Prisma.join(LIVE_STATUSES.map((status) => Prisma.sql`${status}::session_status`));
  const scope =
    effective.studio === null ? Prisma.sql`AND organization_id = ${actor.organizationId}` : Prisma.empty;
  const [counts] = await tx.$queryRaw<{ studio: bigint; organization: bigint; member: bigint }[]>`
    SELECT count(*) AS studio,
      count(*) FILTER (WHERE organization_id = ${actor.organizationId}) AS organization,
      count(*) FILTER (WHERE organization_id = ${actor.organizationId} AND user_id = ${actor.userId}) AS member
    FROM studio_sessions
    WHERE status IN (${live}) ${scope}`;
  const member = Number(counts?.member ?? 0);
  const inOrganization = Number(counts?.organization ?? 0);
  const inStudio = Number(counts?.studio ?? 0);

  if (effective.member !== null && member >= effective.member)
    throw new AppError(
      "CONFLICT",
      `You have ${member} live ${plural(member)} in this organisation, the limit for each member. Stop one to start another.`,
    );
  if (effective.organization !== null && inOrganization >= effective.organization)
    throw new AppError(
      "CONFLICT",
      `This organisation has ${inOrganization} live ${plural(inOrganization)}, its limit. Stop one to start another.`,
    );
  if (effective.studio !== null && inStudio >= effective.studio)
    throw new AppError(
      "CONFLICT",
      `The studio is running ${inStudio} live ${plural(inStudio)}, as many as it allows at once. Try again when some have stopped.`,
    );
}

/** The smaller of two caps, where null is none. */
function tighter(own: number | null, studio: number | null): number | null {
  if (own === null) return studio;
  return studio === null ? own : Math.min(own, studio);
}

function plural(count: number): string {
  return count === 1 ? "session" : "sessions";
}

async function advisoryLock(tx: DbTx, key: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}
