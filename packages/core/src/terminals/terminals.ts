// Terminals on the session page: who may type in them (the session's creator and the
// organisation's owners and admins), who may watch (other members, when the organisation allows),
// and the record of each one's opening and closing, in its own table and in the session's events.
// What is typed is never kept, the privacy choice editors make.
import type { StudioEvent } from "@studio/acp/events";
import type { Db, DbTx } from "@studio/db";
import { appendEvents } from "../sessions/event-log.ts";
import type { SessionActor } from "../sessions/sessions.ts";
import { isLive, LIVE_STATUSES } from "../sessions/state-machine.ts";
import { conflict, forbidden, notFound } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import type { SessionTerminalsPort, TerminalSize } from "./port.ts";

/** More at once is a tab bar nobody reads, and PTYs the sandbox carries for nothing. */
export const MAX_OPEN_TERMINALS = 8;

export const TERMINALS_STOPPED_MESSAGE = "The session is stopped. Resume it to use a terminal.";
export const TERMINALS_PREPARING_MESSAGE = "The sandbox is still being prepared.";
const TYPE_REFUSED =
  "Only the session's creator and the organisation's owners and admins can use its terminals.";
const WATCH_REFUSED = "Your organisation does not let members watch other people's terminals.";

export interface TerminalRights {
  /** Open, type in, rename and close terminals. */
  type: boolean;
  /** See terminals and their output. */
  watch: boolean;
}

export interface TerminalView {
  id: string;
  name: string;
  openedAt: Date;
  openedBy: { userId: string; name: string } | null;
}

interface TerminalSession {
  id: string;
  status: Parameters<typeof isLive>[0];
  sandboxId: string | null;
}

/** The session (404 for another organisation's) and what the actor may do with its terminals. */
export async function terminalAccess(
  db: DbTx,
  actor: SessionActor,
  sessionId: string,
): Promise<{ session: TerminalSession; rights: TerminalRights }> {
  const session = await db.studioSession.findFirst({
    where: { id: sessionId, organizationId: actor.organizationId },
    select: {
      id: true,
      status: true,
      sandboxId: true,
      userId: true,
      organization: { select: { terminalWatching: true } },
    },
  });
  if (!session) throw notFound("Session");
  const membership = await db.membership.findFirst({
    where: { organizationId: actor.organizationId, userId: actor.userId },
    select: { role: true },
  });
  if (!membership) throw notFound("Session");
  const type = session.userId === actor.userId || membership.role !== "member";
  const rights = { type, watch: type || session.organization.terminalWatching };
  return { session: { id: session.id, status: session.status, sandboxId: session.sandboxId }, rights };
}

function runningSandbox(session: TerminalSession): { id: string; sandboxId: string } {
  if (session.status === "provisioning") throw conflict(TERMINALS_PREPARING_MESSAGE);
  if (!isLive(session.status)) throw conflict(TERMINALS_STOPPED_MESSAGE);
  if (!session.sandboxId) throw conflict(TERMINALS_PREPARING_MESSAGE);
  return { id: session.id, sandboxId: session.sandboxId };
}

async function actorName(db: DbTx, userId: string) {
  const user = await db.user.findUnique({ where: { id: userId }, select: { name: true } });
  return { userId, name: user?.name ?? "Someone" };
}

const terminalSelect = {
  id: true,
  name: true,
  openedAt: true,
  processId: true,
  openedBy: { select: { id: true, name: true } },
} as const;

function view(row: {
  id: string;
  name: string;
  openedAt: Date;
  openedBy: { id: string; name: string } | null;
}): TerminalView {
  return {
    id: row.id,
    name: row.name,
    openedAt: row.openedAt,
    openedBy: row.openedBy ? { userId: row.openedBy.id, name: row.openedBy.name } : null,
  };
}

/** The session's open terminals, oldest first, and whether the actor may type in them. */
export async function listTerminals(db: Db, actor: SessionActor, sessionId: string) {
  const { rights } = await terminalAccess(db, actor, sessionId);
  if (!rights.watch) throw forbidden(WATCH_REFUSED);
  const rows = await db.sessionTerminal.findMany({
    where: { sessionId, closedAt: null },
    orderBy: { openedAt: "asc" },
    select: terminalSelect,
  });
  return { canType: rights.type, terminals: rows.map(view) };
}

/** Starts a shell on a PTY in the session's sandbox, named "Terminal <n>" unless given a name. */
export async function openTerminal(
  db: Db,
  port: SessionTerminalsPort,
  actor: SessionActor,
  input: { sessionId: string; name?: string | undefined; size: TerminalSize },
): Promise<TerminalView> {
  const { session, rights } = await terminalAccess(db, actor, input.sessionId);
  if (!rights.type) throw forbidden(TYPE_REFUSED);
  const sandbox = runningSandbox(session);
  const open = await db.sessionTerminal.count({ where: { sessionId: session.id, closedAt: null } });
  if (open >= MAX_OPEN_TERMINALS)
    throw conflict(`A session has at most ${MAX_OPEN_TERMINALS} terminals open. Close one first.`);
  const opened = await db.sessionTerminal.count({ where: { sessionId: session.id } });
  const name = input.name ?? `Terminal ${opened + 1}`;
  const { processId } = await port.start(sandbox, input.size);
  try {
    const openedBy = await actorName(db, actor.userId);
    const row = await db.$transaction(async (tx) => {
      const created = await tx.sessionTerminal.create({
        data: { id: newId(), sessionId: session.id, processId, name, openedById: actor.userId },
        select: terminalSelect,
      });
      await appendEvents(tx, session.id, [
        { type: "terminal_opened", terminalId: created.id, name, openedBy },
      ]);
      // Opening a terminal is activity: the idle stop counts from here.
      await tx.studioSession.update({ where: { id: session.id }, data: { lastActivityAt: new Date() } });
      return created;
    });
    return view(row);
  } catch (error) {
    // Not recorded, so not shown: the PTY must not run on unseen.
    await port.end(sandbox, processId).catch(() => {});
    throw error;
  }
}

async function openRow(db: DbTx, sessionId: string, terminalId: string) {
  const row = await db.sessionTerminal.findFirst({
    where: { id: terminalId, sessionId },
    select: { ...terminalSelect, closedAt: true },
  });
  if (!row) throw notFound("Terminal");
  if (row.closedAt) throw conflict("The terminal is closed.");
  return row;
}

export async function renameTerminal(
  db: Db,
  actor: SessionActor,
  input: { sessionId: string; terminalId: string; name: string },
): Promise<TerminalView> {
  const { rights } = await terminalAccess(db, actor, input.sessionId);
  if (!rights.type) throw forbidden(TYPE_REFUSED);
  return db.$transaction(async (tx) => {
    await openRow(tx, input.sessionId, input.terminalId);
    const row = await tx.sessionTerminal.update({
      where: { id: input.terminalId },
      data: { name: input.name },
      select: terminalSelect,
    });
    await appendEvents(tx, input.sessionId, [
      { type: "terminal_renamed", terminalId: input.terminalId, name: input.name },
    ]);
    return view(row);
  });
}

/** Ends the terminal's PTY and records who closed it. */
export async function closeTerminal(
  db: Db,
  port: SessionTerminalsPort,
  actor: SessionActor,
  input: { sessionId: string; terminalId: string },
): Promise<void> {
  const { session, rights } = await terminalAccess(db, actor, input.sessionId);
  if (!rights.type) throw forbidden(TYPE_REFUSED);
  const row = await openRow(db, session.id, input.terminalId);
  // Recorded before the PTY ends: its exit, seen by the socket bridge, would otherwise race to
  // record "the shell exited" and the log would not say who closed it. A closed row serves no socket.
  const closedBy = await actorName(db, actor.userId);
  await recordTerminalsClosed(db, session.id, [row.id], closedBy, "Closed");
  if (isLive(session.status) && session.sandboxId)
    await port.end({ id: session.id, sandboxId: session.sandboxId }, row.processId);
}

/** Marks terminals closed, with one `terminal_closed` event each (only those still open). */
async function recordTerminalsClosed(
  db: Db | DbTx,
  sessionId: string,
  terminalIds: string[],
  closedBy: { userId: string; name: string } | null,
  reason: string,
) {
  const close = async (tx: DbTx) => {
    const open = await tx.sessionTerminal.findMany({
      where: { id: { in: terminalIds }, sessionId, closedAt: null },
      select: { id: true },
    });
    if (open.length === 0) return;
    await tx.sessionTerminal.updateMany({
      where: { id: { in: open.map((row) => row.id) } },
      data: { closedAt: new Date() },
    });
    const events: StudioEvent[] = open.map(({ id: terminalId }) => ({
      type: "terminal_closed",
      terminalId,
      closedBy,
      reason,
    }));
    await appendEvents(tx, sessionId, events);
  };
  if ("$transaction" in db) await db.$transaction(close);
  else await close(db);
}

/** With the session's end (its sandbox goes, and its PTYs with it), inside that transaction. */
export async function closeSessionTerminals(tx: DbTx, sessionId: string) {
  const open = await tx.sessionTerminal.findMany({
    where: { sessionId, closedAt: null },
    select: { id: true },
  });
  if (open.length > 0)
    await recordTerminalsClosed(
      tx,
      sessionId,
      open.map((row) => row.id),
      null,
      "The session stopped",
    );
}

/** What the terminal socket needs: the terminal's PTY, its sandbox, and whether the actor may type. */
export async function terminalSocketAccess(
  db: Db,
  actor: SessionActor,
  input: { sessionId: string; terminalId: string },
): Promise<{ canType: boolean; processId: string; sandbox: { id: string; sandboxId: string } }> {
  const { session, rights } = await terminalAccess(db, actor, input.sessionId);
  if (!rights.watch) throw forbidden(WATCH_REFUSED);
  const sandbox = runningSandbox(session);
  const row = await openRow(db, session.id, input.terminalId);
  return { canType: rights.type, processId: row.processId, sandbox };
}

/** The terminal's shell ended by itself (`exit`, a crash): closed, by nobody. */
export async function recordTerminalExited(db: Db, sessionId: string, terminalId: string) {
  await recordTerminalsClosed(db, sessionId, [terminalId], null, "The shell exited");
}

/** Typing in a terminal is activity: the idle stop counts from the last keystroke. */
export async function noteTerminalActivity(db: Db, sessionId: string) {
  await db.studioSession.updateMany({
    where: { id: sessionId, status: { in: [...LIVE_STATUSES] } },
    data: { lastActivityAt: new Date() },
  });
}
