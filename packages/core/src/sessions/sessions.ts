import type { Db, DbTx, Prisma } from "@studio/db";
import { DEFAULT_AGENT, isKnownAgent, type KnownAgent } from "@studio/models";
import { paysWithCredits } from "../billing/resolution.ts";
import { assertBudgetsAllowNewSession } from "../budgets/admission.ts";
import { assertSessionCapacity, type StudioSessionCaps } from "../limits/session-caps.ts";
import { AppError, conflict, notFound } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import { closeSessionTerminals } from "../terminals/terminals.ts";
import { COMMANDS_CHANNEL, enqueueCommand } from "./commands.ts";
import { appendEvents } from "./event-log.ts";
import { applyTransitionInTx } from "./lifecycle.ts";
import { assertCreditsAvailable, routeForNewSession } from "./model-access.ts";
import type { CreateSessionInput, ListSessionsInput } from "./schemas.ts";
import { resolveSessionSource, type SessionSourceDeps } from "./sources.ts";
import { acceptsPrompts, isLive, LIVE_STATUSES } from "./state-machine.ts";

export interface SessionActor {
  userId: string;
  organizationId: string;
  /** The API token a program acts with (its budget covers the sessions it starts); absent in a browser. */
  apiTokenId?: string | undefined;
}

export const sessionSelect = {
  id: true,
  organizationId: true,
  userId: true,
  environment: true,
  status: true,
  sandboxProvider: true,
  agentType: true,
  provider: true,
  model: true,
  keySource: true,
  keyDelivery: true,
  upstreamProvider: true,
  upstreamModel: true,
  budgetMicroUsd: true,
  totalCostMicroUsd: true,
  title: true,
  totalInputTokens: true,
  totalOutputTokens: true,
  totalCachedTokens: true,
  totalCreditsConsumed: true,
  idleTimeoutSeconds: true,
  lastActivityAt: true,
  lastEventSeq: true,
  errorReason: true,
  errorStep: true,
  createdAt: true,
  readyAt: true,
  stoppedAt: true,
  sourceKind: true,
  sourceUrl: true,
  sourceRef: true,
  sourceRefKind: true,
  sourceFullHistory: true,
  baseCommit: true,
  baseBranch: true,
  workBranch: true,
  user: { select: { name: true } },
} as const satisfies Prisma.StudioSessionSelect;

type SessionRow = Prisma.StudioSessionGetPayload<{ select: typeof sessionSelect }>;

/** A session as services return it: the source columns gathered under `source`. */
export type SessionView = Omit<
  SessionRow,
  "agentType" | "sourceKind" | "sourceUrl" | "sourceRef" | "sourceRefKind" | "sourceFullHistory"
> & {
  /** The coding agent (the `agent_type` column). */
  agent: KnownAgent;
  source: {
    kind: SessionRow["sourceKind"];
    url: string | null;
    ref: string | null;
    refKind: SessionRow["sourceRefKind"];
    fullHistory: boolean;
  };
};

function toSessionView(row: SessionRow): SessionView {
  const { agentType, sourceKind, sourceUrl, sourceRef, sourceRefKind, sourceFullHistory, ...rest } = row;
  return {
    ...rest,
    // Only createSession writes the column, from the runnable agents; the default covers a row
    // someone edited by hand, so that one bad row cannot break the sessions list.
    agent: isKnownAgent(agentType) ? agentType : DEFAULT_AGENT,
    source: {
      kind: sourceKind,
      url: sourceUrl,
      ref: sourceRef,
      refKind: sourceRefKind,
      fullHistory: sourceFullHistory,
    },
  };
}

export interface SessionRuntimeSettings {
  sandboxProvider: "local" | "e2b";
  keyDelivery: "gateway" | "environment";
  /** Providers the platform has a key (or endpoint) for, used on platform credits. */
  platformProviders: ReadonlySet<string>;
  /** Where uploads are kept (STUDIO_UPLOAD_DIR); absent: sessions cannot start from an upload. */
  uploadDir?: string;
  /** Live sessions at once: the studio's cap and its defaults for organisations and members. */
  sessionCaps?: StudioSessionCaps;
}

/** What checking a session's source needs: the keyring (git credentials) and the network rules. */
export type SessionSourceSettings = Pick<SessionSourceDeps, "keyring" | "rules">;

/**
 * Records a new session in `provisioning` and returns at once with the gateway token the sandbox
 * will use (only its hash is stored). A runner on some replica picks the session up and provisions it.
 * Its source is checked first (a git repository read, an upload found): a refused source leaves no row.
 */
export async function createSession(
  db: Db,
  actor: SessionActor,
  input: CreateSessionInput,
  runtime: SessionRuntimeSettings,
  sources: SessionSourceSettings,
): Promise<SessionView> {
  const organization = await db.organization.findUnique({
    where: { id: actor.organizationId },
    select: { idleTimeoutMinutes: true },
  });
  if (!organization) throw notFound("Organisation");
  const route = await routeForNewSession(
    db,
    actor.organizationId,
    { agent: input.agent, provider: input.provider, model: input.model },
    runtime.platformProviders,
  );
  if (input.source?.kind === "git" && runtime.keyDelivery === "environment")
    // A repository is reached through the studio's git gateway, which such sandboxes cannot reach.
    throw new AppError(
      "BAD_REQUEST",
      "This studio's sandboxes do not reach the studio (KEY_DELIVERY=environment), so they cannot clone through it. Upload the project instead.",
    );
  const id = newId();
  const sourceColumns = await resolveSessionSource(
    db,
    { ...sources, uploadDir: runtime.uploadDir ?? null },
    actor,
    input.source ?? { kind: "empty" },
    id,
  );
  // A hard budget already spent refuses the session now, not at its first model call.
  await assertBudgetsAllowNewSession(db, actor);
  return db.$transaction(async (tx) => {
    await assertSessionCapacity(tx, actor, runtime.sessionCaps);
    if (sourceColumns.sourceUploadId) {
      // Two sessions racing for one upload: the second waits for the first's lock, and its next
      // statement (a new snapshot) sees the first's session.
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM session_uploads WHERE id = ${sourceColumns.sourceUploadId} FOR UPDATE`;
      if (locked.length === 0) throw notFound("Upload");
      const used = await tx.studioSession.count({ where: { sourceUploadId: sourceColumns.sourceUploadId } });
      if (used > 0)
        throw new AppError("BAD_REQUEST", "That upload has started a session already. Upload it again.");
    }
    const session = await tx.studioSession.create({
      data: {
        id,
        organizationId: actor.organizationId,
        userId: actor.userId,
        environment: input.environment,
        agentType: input.agent,
        provider: input.provider,
        model: input.model,
        ...route,
        budgetMicroUsd: input.budgetMicroUsd === undefined ? null : BigInt(input.budgetMicroUsd),
        apiTokenId: actor.apiTokenId ?? null,
        keyDelivery: runtime.keyDelivery,
        sandboxProvider: runtime.sandboxProvider,
        idleTimeoutSeconds: organization.idleTimeoutMinutes * 60,
        ...sourceColumns,
      },
      select: sessionSelect,
    });
    await appendEvents(tx, id, [
      { type: "status_changed", from: "provisioning", to: "provisioning", reason: "Session created" },
    ]);
    // Wakes a replica to claim the session now rather than at its next lease tick.
    await tx.$executeRaw`SELECT pg_notify(${COMMANDS_CHANNEL}, ${id})`;
    return toSessionView(session);
  });
}

export async function getSession(db: DbTx, actor: SessionActor, sessionId: string): Promise<SessionView> {
  const session = await db.studioSession.findFirst({
    where: { id: sessionId, organizationId: actor.organizationId },
    select: sessionSelect,
  });
  if (!session) throw notFound("Session");
  return toSessionView(session);
}

/** Newest first; the cursor is the last row's `createdAt|id`, stable while new sessions arrive. */
export async function listSessions(db: DbTx, actor: SessionActor, input: ListSessionsInput) {
  let after: { createdAt: Date; id: string } | null = null;
  if (input.cursor) {
    const [time, id] = input.cursor.split("|");
    const createdAt = new Date(Number(time));
    if (!id || Number.isNaN(createdAt.getTime())) throw new AppError("BAD_REQUEST", "Invalid cursor.");
    after = { createdAt, id };
  }
  const rows = await db.studioSession.findMany({
    where: {
      organizationId: actor.organizationId,
      ...(input.environment ? { environment: input.environment } : {}),
      ...(input.status?.length ? { status: { in: input.status } } : {}),
      ...(input.mine ? { userId: actor.userId } : {}),
      ...(after
        ? {
            OR: [
              { createdAt: { lt: after.createdAt } },
              { createdAt: after.createdAt, id: { lt: after.id } },
            ],
          }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    select: sessionSelect,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > input.limit && last ? `${last.createdAt.getTime()}|${last.id}` : null;
  return { sessions: page.map(toSessionView), nextCursor };
}

async function lockSession(tx: DbTx, actor: SessionActor, sessionId: string) {
  const [row] = await tx.$queryRaw<
    {
      status: SessionView["status"];
      title: string | null;
      key_source: SessionView["keySource"];
      upstream_provider: SessionView["upstreamProvider"];
    }[]
  >`
    SELECT status, title, key_source, upstream_provider FROM studio_sessions
    WHERE id = ${sessionId} AND organization_id = ${actor.organizationId} FOR UPDATE`;
  if (!row) throw notFound("Session");
  return row;
}

const onCredits = (row: {
  key_source: SessionView["keySource"];
  upstream_provider: SessionView["upstreamProvider"];
}) => paysWithCredits({ keySource: row.key_source, upstreamProvider: row.upstream_provider });

/** Stores the person's message and queues it as a prompt; it runs when the agent is free. */
export async function sendMessage(db: Db, actor: SessionActor, sessionId: string, text: string) {
  return db.$transaction(async (tx) => {
    const session = await lockSession(tx, actor, sessionId);
    if (!acceptsPrompts(session.status) && session.status !== "provisioning") {
      throw conflict(
        session.status === "error"
          ? "The session failed. Resume it to continue."
          : "The session is stopped. Resume it to continue.",
      );
    }
    if (onCredits(session)) await assertCreditsAvailable(tx, actor.organizationId);
    const messageId = newId();
    await tx.studioSession.update({
      where: { id: sessionId },
      data: { lastActivityAt: new Date(), ...(session.title ? {} : { title: text.slice(0, 80) }) },
    });
    await appendEvents(tx, sessionId, [{ type: "user_message", messageId, text, authorId: actor.userId }]);
    await enqueueCommand(tx, sessionId, { kind: "prompt", messageId, text }, actor.userId);
    return { messageId };
  });
}

export async function cancelTurn(db: Db, actor: SessionActor, sessionId: string) {
  return db.$transaction(async (tx) => {
    const session = await lockSession(tx, actor, sessionId);
    if (session.status !== "active") throw conflict("No turn is running.");
    // Prompts still waiting behind the running turn are dropped with it.
    await tx.sessionCommand.updateMany({
      where: { sessionId, kind: "prompt", status: "pending" },
      data: { status: "failed", error: "cancelled", completedAt: new Date() },
    });
    await enqueueCommand(tx, sessionId, { kind: "cancel" }, actor.userId);
  });
}

export async function keepalive(db: Db, actor: SessionActor, sessionId: string) {
  const { count } = await db.studioSession.updateMany({
    where: {
      id: sessionId,
      organizationId: actor.organizationId,
      status: { in: [...LIVE_STATUSES] },
    },
    data: { lastActivityAt: new Date() },
  });
  if (count === 0) {
    await getSession(db, actor, sessionId); // 404 for a session of another organisation
    throw conflict("The session is not running.");
  }
  return { idleTimeoutSeconds: (await getSession(db, actor, sessionId)).idleTimeoutSeconds };
}

/** Stops at once from the person's point of view; the runner then tears the sandbox down. */
export async function stopSession(
  db: Db,
  actor: SessionActor,
  sessionId: string,
  reason = "Stopped by a person",
) {
  return db.$transaction(async (tx) => {
    const session = await lockSession(tx, actor, sessionId);
    if (!isLive(session.status)) throw conflict("The session is already stopped.");
    await applyTransitionInTx(tx, sessionId, "stop", {
      reason,
      data: { stoppedAt: new Date(), currentTurnId: null },
      events: [{ type: "session_ended", reason }],
    });
    await cancelOpenWork(tx, sessionId);
    await enqueueCommand(tx, sessionId, { kind: "stop", reason }, actor.userId);
  });
}

/** Pending prompts and interactions die with the session (truthfully marked, not deleted). */
export async function cancelOpenWork(tx: DbTx, sessionId: string) {
  await tx.sessionCommand.updateMany({
    where: { sessionId, kind: "prompt", status: "pending" },
    data: { status: "failed", error: "session stopped", completedAt: new Date() },
  });
  await tx.pendingInteraction.updateMany({
    where: { sessionId, status: "pending" },
    data: { status: "cancelled", answeredAt: new Date() },
  });
  await closeSessionTerminals(tx, sessionId);
}

export async function resumeSession(db: Db, actor: SessionActor, sessionId: string) {
  return db.$transaction(async (tx) => {
    const session = await lockSession(tx, actor, sessionId);
    if (onCredits(session)) await assertCreditsAvailable(tx, actor.organizationId);
    await applyTransitionInTx(tx, sessionId, "resume", {
      reason: "Resumed",
      data: {
        errorReason: null,
        errorStep: null,
        stoppedAt: null,
        lastActivityAt: new Date(),
        runnerId: null,
        runnerLeaseExpiresAt: null,
      },
    });
    // A stop not yet carried out belongs to the session's previous life.
    await tx.sessionCommand.updateMany({
      where: { sessionId, kind: "stop", status: { in: ["pending", "running"] } },
      data: { status: "done", error: "superseded by resume", completedAt: new Date() },
    });
    await tx.$executeRaw`SELECT pg_notify(${COMMANDS_CHANNEL}, ${sessionId})`;
  });
}
