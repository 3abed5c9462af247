// Commands are how a request reaches the replica that runs a session: written to the database,
// announced with NOTIFY, executed by whichever replica holds the session's runner lease.
import type { DbTx, Prisma } from "@studio/db";

export const COMMANDS_CHANNEL = "studio_session_commands";

export type SessionCommand =
  | { kind: "prompt"; messageId: string; text: string }
  | { kind: "cancel" }
  | { kind: "permission_reply"; interactionId: string; optionId: string | null }
  | { kind: "question_reply"; interactionId: string; answers: string[][] | null }
  | { kind: "stop"; reason: string }
  | { kind: "resume" };

export interface QueuedCommand {
  id: bigint;
  command: SessionCommand;
  issuedById: string | null;
}

export async function enqueueCommand(
  db: DbTx,
  sessionId: string,
  command: SessionCommand,
  issuedById: string | null,
) {
  const row = await db.sessionCommand.create({
    data: { sessionId, kind: command.kind, payload: command as unknown as Prisma.InputJsonValue, issuedById },
    select: { id: true },
  });
  await db.$executeRaw`SELECT pg_notify(${COMMANDS_CHANNEL}, ${sessionId})`;
  return row.id;
}

/**
 * Pending commands of a session in order, marked running so no other drain repeats them. Control
 * commands (cancel, replies, stop) are always taken; prompts only one at a time, when the agent is
 * free, so a prompt sent during a turn waits its turn.
 */
export async function claimCommands(
  db: DbTx,
  sessionId: string,
  options: { prompt: boolean },
): Promise<QueuedCommand[]> {
  const rows = await db.$queryRaw<{ id: bigint; payload: SessionCommand; issued_by_id: string | null }[]>`
    UPDATE session_commands SET status = 'running', claimed_at = now()
    WHERE id IN (
        SELECT id FROM session_commands
        WHERE session_id = ${sessionId} AND status = 'pending' AND kind <> 'prompt'
        ORDER BY id FOR UPDATE SKIP LOCKED)
      OR id IN (
        SELECT id FROM session_commands
        WHERE ${options.prompt} AND session_id = ${sessionId} AND status = 'pending' AND kind = 'prompt'
        ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING id, payload, issued_by_id`;
  return rows
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((row) => ({ id: row.id, command: row.payload, issuedById: row.issued_by_id }));
}

export async function completeCommand(db: DbTx, id: bigint, error?: string) {
  await db.sessionCommand.update({
    where: { id },
    data: { status: error ? "failed" : "done", error: error ?? null, completedAt: new Date() },
  });
}

/**
 * After a takeover: control commands the dead replica claimed but never finished run again
 * (they are safe to repeat); a claimed prompt is not resent, since the agent may have it already.
 */
export async function requeueUnfinishedCommands(db: DbTx, sessionId: string) {
  await db.sessionCommand.updateMany({
    where: { sessionId, status: "running", kind: { not: "prompt" } },
    data: { status: "pending", claimedAt: null },
  });
}
