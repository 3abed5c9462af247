// Permission and question requests are rows: they survive reloads, restarts and takeovers, and
// the first answer wins (conditional update), so two tabs cannot answer one request twice.
import type { PermissionOption, Question } from "@studio/acp/events";
import type { Db, DbTx, Prisma } from "@studio/db";
import { conflict, notFound } from "../shared/errors.ts";
import { enqueueCommand } from "./commands.ts";
import { appendEvents } from "./event-log.ts";
import type { SessionActor } from "./sessions.ts";

export interface PermissionRequestRecord {
  kind: "permission";
  /** The agent's JSON-RPC request id, to answer it. */
  jsonRpcId: string | number;
  title: string;
  options: PermissionOption[];
  toolCallId: string | null;
}

export interface QuestionRecord {
  kind: "question";
  questions: Question[];
  toolCallId: string;
}

/**
 * Called by the runner when the agent asks, before the event announcing it is stored, so an answer
 * always finds its row. `agentRequestId` is scoped by the runner to one agent process.
 */
export async function recordInteraction(
  db: DbTx,
  sessionId: string,
  interactionId: string,
  agentRequestId: string,
  request: PermissionRequestRecord | QuestionRecord,
): Promise<void> {
  await db.pendingInteraction.upsert({
    where: { sessionId_kind_agentRequestId: { sessionId, kind: request.kind, agentRequestId } },
    create: {
      id: interactionId,
      sessionId,
      kind: request.kind,
      agentRequestId,
      toolCallId: request.toolCallId,
      request: request as unknown as Prisma.InputJsonValue,
    },
    update: {},
  });
}

/** Interactions still waiting, for the runner to map agent requests back to their rows. */
export function pendingInteractionsOf(db: DbTx, sessionId: string) {
  return db.pendingInteraction.findMany({
    where: { sessionId, status: "pending" },
    select: { id: true, kind: true, agentRequestId: true, toolCallId: true, request: true },
  });
}

/** The agent's permission request behind an interaction, to answer it (null: no such row). */
export async function permissionRequestOf(
  db: DbTx,
  interactionId: string,
): Promise<PermissionRequestRecord | null> {
  const row = await db.pendingInteraction.findUnique({
    where: { id: interactionId },
    select: { request: true },
  });
  return (row?.request as unknown as PermissionRequestRecord | undefined) ?? null;
}

/** The tool call an interaction's question belongs to, to answer it (null: none, or no such row). */
export async function questionToolCallOf(db: DbTx, interactionId: string): Promise<string | null> {
  const row = await db.pendingInteraction.findUnique({
    where: { id: interactionId },
    select: { toolCallId: true },
  });
  return row?.toolCallId ?? null;
}

/** Ends every waiting interaction (turn cancelled, agent restarted, session stopped). */
export async function cancelPendingInteractions(db: DbTx, sessionId: string) {
  const rows = await db.pendingInteraction.findMany({
    where: { sessionId, status: "pending" },
    select: { id: true, kind: true },
  });
  await db.pendingInteraction.updateMany({
    where: { id: { in: rows.map((row) => row.id) }, status: "pending" },
    data: { status: "cancelled", answeredAt: new Date() },
  });
  return rows;
}

async function claim(
  tx: DbTx,
  actor: SessionActor,
  sessionId: string,
  interactionId: string,
  kind: "permission" | "question",
) {
  const interaction = await tx.pendingInteraction.findFirst({
    where: { id: interactionId, sessionId, kind, session: { organizationId: actor.organizationId } },
    select: { id: true, status: true, request: true },
  });
  if (!interaction) throw notFound(kind === "permission" ? "Permission request" : "Question");
  if (interaction.status !== "pending")
    throw conflict(`This ${kind === "permission" ? "request" : "question"} was already answered.`);
  return interaction;
}

export async function respondToPermission(
  db: Db,
  actor: SessionActor,
  sessionId: string,
  interactionId: string,
  optionId: string,
) {
  return db.$transaction(async (tx) => {
    const interaction = await claim(tx, actor, sessionId, interactionId, "permission");
    const request = interaction.request as unknown as PermissionRequestRecord;
    const option = request.options.find((candidate) => candidate.optionId === optionId);
    if (!option) throw conflict(`"${optionId}" is not one of the options offered.`);
    const { count } = await tx.pendingInteraction.updateMany({
      where: { id: interactionId, status: "pending" },
      data: {
        status: "answered",
        response: { optionId },
        answeredById: actor.userId,
        answeredAt: new Date(),
      },
    });
    if (count === 0) throw conflict("This request was already answered.");
    await appendEvents(tx, sessionId, [
      {
        type: "permission_resolved",
        interactionId,
        optionId,
        optionKind: option.kind,
        answeredBy: actor.userId,
      },
    ]);
    await enqueueCommand(tx, sessionId, { kind: "permission_reply", interactionId, optionId }, actor.userId);
  });
}

export async function answerQuestion(
  db: Db,
  actor: SessionActor,
  sessionId: string,
  interactionId: string,
  answers: string[][] | null,
) {
  return db.$transaction(async (tx) => {
    const interaction = await claim(tx, actor, sessionId, interactionId, "question");
    const request = interaction.request as unknown as QuestionRecord;
    if (answers && answers.length !== request.questions.length) {
      throw conflict(`Answer each of the ${request.questions.length} questions.`);
    }
    const { count } = await tx.pendingInteraction.updateMany({
      where: { id: interactionId, status: "pending" },
      data: { status: "answered", response: { answers }, answeredById: actor.userId, answeredAt: new Date() },
    });
    if (count === 0) throw conflict("This question was already answered.");
    await appendEvents(tx, sessionId, [
      { type: "question_answered", interactionId, answers, answeredBy: actor.userId },
    ]);
    await enqueueCommand(tx, sessionId, { kind: "question_reply", interactionId, answers }, actor.userId);
  });
}

export function listPendingInteractions(db: DbTx, actor: SessionActor, sessionId: string) {
  return db.pendingInteraction.findMany({
    where: { sessionId, status: "pending", session: { organizationId: actor.organizationId } },
    select: { id: true, kind: true, toolCallId: true, request: true, createdAt: true },
    orderBy: { createdAt: "asc" },
  });
}
