// What a session's runner (packages/runner) reads and writes of its session, and nothing else: the
// runner reaches the database only through these, the leases (leases.ts), commands (commands.ts),
// interactions (interactions.ts) and event appends (event-log.ts), all exported by
// `@studio/core/runner`. Each takes the database client first, like every core service.
import type { StopReason } from "@studio/acp/events";
import type { Db } from "@studio/db";
import {
  DEFAULT_AGENT,
  isKnownAgent,
  type KeySource,
  type KnownAgent,
  type ModelProvider,
} from "@studio/models";
import { hashSecret } from "../auth/secrets.ts";
import { randomToken } from "../shared/ids.ts";
import { completeCommand } from "./commands.ts";
import { appendEvents } from "./event-log.ts";
import { applyTransition, applyTransitionInTx } from "./lifecycle.ts";
import { cancelOpenWork } from "./sessions.ts";
import type { SessionSourceColumns } from "./sources.ts";
import { LIVE_STATUSES, type SessionStatus } from "./state-machine.ts";

/** What a runner needs to know about its session row; its source (sources.ts) decides how a workspace starts. */
export interface SessionRow extends Omit<SessionSourceColumns, "baseBranch"> {
  id: string;
  status: SessionStatus;
  provider: ModelProvider;
  model: string;
  /** Where model calls go (the provider, or OpenRouter), decided when the session was created. */
  upstreamProvider: SessionRow["provider"];
  upstreamModel: string;
  keySource: KeySource;
  organizationId: string;
  sandboxId: string | null;
  agentSessionId: string | null;
  acpServerId: string | null;
  agentEventCursor: string | null;
  currentTurnId: string | null;
  /** The commit the workspace started at, once prepared. */
  baseCommit: string | null;
  /** The coding agent the session runs (its `agent_type` column). */
  agent: KnownAgent;
}

export async function loadSessionRow(db: Db, sessionId: string): Promise<SessionRow | null> {
  const row = await db.studioSession.findUnique({
    where: { id: sessionId },
    select: {
      id: true,
      status: true,
      provider: true,
      model: true,
      upstreamProvider: true,
      upstreamModel: true,
      keySource: true,
      organizationId: true,
      sandboxId: true,
      agentSessionId: true,
      acpServerId: true,
      agentEventCursor: true,
      currentTurnId: true,
      sourceKind: true,
      sourceUrl: true,
      sourceRef: true,
      sourceRefKind: true,
      sourceFullHistory: true,
      sourceUploadId: true,
      workBranch: true,
      baseCommit: true,
      agentType: true,
    },
  });
  if (!row) return null;
  const { agentType, ...rest } = row;
  return { ...rest, agent: isKnownAgent(agentType) ? agentType : DEFAULT_AGENT };
}

/** The commit the session's workspace starts from: what "what changed" is measured against. */
export async function recordWorkspaceBase(db: Db, sessionId: string, baseCommit: string) {
  await db.studioSession.update({ where: { id: sessionId }, data: { baseCommit } });
}

export async function sessionStatusOf(db: Db, sessionId: string): Promise<SessionStatus | null> {
  const row = await db.studioSession.findUnique({ where: { id: sessionId }, select: { status: true } });
  return row?.status ?? null;
}

/** The running turn as the row says (null: none, or no such session). */
export async function currentTurnIdOf(db: Db, sessionId: string): Promise<string | null> {
  const row = await db.studioSession.findUnique({
    where: { id: sessionId },
    select: { currentTurnId: true },
  });
  return row?.currentTurnId ?? null;
}

// ───────────────────────── the agent ─────────────────────────

/** A fresh gateway token for a new or restarted sandbox: only its hash is stored; the token is returned. */
export async function issueGatewayToken(db: Db, sessionId: string): Promise<string> {
  const gatewayToken = randomToken(20);
  await db.studioSession.update({
    where: { id: sessionId },
    data: { gatewayTokenHash: hashSecret(gatewayToken) },
  });
  return gatewayToken;
}

/** Provisioning is over: the session is `ready` with its sandbox and agent session. */
export async function markProvisioned(
  db: Db,
  sessionId: string,
  agent: { sandboxId: string; agentSessionId: string; acpServerId: string },
) {
  await applyTransition(db, sessionId, "provisioned", {
    reason: "The agent is ready",
    data: {
      readyAt: new Date(),
      lastActivityAt: new Date(),
      sandboxId: agent.sandboxId,
      agentSessionId: agent.agentSessionId,
      acpServerId: agent.acpServerId,
      agentEventCursor: null,
    },
  });
}

/**
 * A new agent process (a restart, or a re-attach that found the old one gone): no stream position
 * yet, and a new agent session when the agent could not load the old one.
 */
export async function recordNewAgentProcess(
  db: Db,
  sessionId: string,
  agent: { acpServerId: string; agentSessionId: string },
) {
  await db.studioSession.update({
    where: { id: sessionId },
    data: { acpServerId: agent.acpServerId, agentSessionId: agent.agentSessionId, agentEventCursor: null },
  });
}

// ───────────────────────── turns ─────────────────────────

/** The prompt command a running turn completes (the newest running one), if any. */
export async function runningPromptCommandId(db: Db, sessionId: string): Promise<bigint | null> {
  const prompt = await db.sessionCommand.findFirst({
    where: { sessionId, kind: "prompt", status: "running" },
    orderBy: { id: "desc" },
    select: { id: true },
  });
  return prompt?.id ?? null;
}

export async function markTurnStarted(db: Db, sessionId: string, turnId: string, promptMessageId: string) {
  await applyTransition(db, sessionId, "turn_started", {
    data: { currentTurnId: turnId, lastActivityAt: new Date() },
    events: [{ type: "turn_started", turnId, promptMessageId }],
  });
}

export interface TurnEnd {
  turnId: string;
  /** The prompt command the turn completes (null after a takeover found none). */
  commandId: bigint | null;
  stopReason: StopReason;
  inputTokens: number | null;
  outputTokens: number | null;
  /** Why a turn that ended in error failed: stored on its prompt command. */
  errorMessage?: string | undefined;
  /** The agent stream's position of the prompt's response, when it came off the stream. */
  agentCursor?: string | undefined;
}

/**
 * The turn's end, its cursor and its prompt command commit together: after a database outage the
 * session row alone says whether the turn still runs, and a prompt whose turn ended is never
 * queued again. The status goes back to `idle` only from `active` (a stop may have come first).
 */
export async function recordTurnEnded(db: Db, sessionId: string, end: TurnEnd) {
  const { turnId, stopReason, inputTokens, outputTokens, errorMessage } = end;
  const cursor = end.agentCursor ? { agentEventCursor: end.agentCursor } : {};
  await db.$transaction(async (tx) => {
    const row = await tx.studioSession.findUnique({
      where: { id: sessionId },
      select: { status: true },
    });
    const ended = { type: "turn_ended" as const, turnId, stopReason, inputTokens, outputTokens };
    if (row?.status === "active") {
      await applyTransitionInTx(tx, sessionId, "turn_ended", {
        data: { currentTurnId: null, lastActivityAt: new Date(), ...cursor },
        events: [ended],
      });
    } else {
      await appendEvents(tx, sessionId, [ended], cursor);
    }
    if (end.commandId !== null)
      await completeCommand(
        tx,
        end.commandId,
        stopReason === "error" ? (errorMessage ?? "turn failed") : undefined,
      );
  });
}

// ───────────────────────── ending ─────────────────────────

/**
 * The session in `error` with the failed step (a provisioning step, or null for a failure after
 * it) and the reason; its pending prompts and interactions cancelled, in the same transaction.
 */
export async function failSession(db: Db, sessionId: string, step: string | null, reason: string) {
  await db.$transaction(async (tx) => {
    await applyTransitionInTx(tx, sessionId, "fail", {
      reason,
      data: { errorReason: reason, errorStep: step, currentTurnId: null },
      events: [
        {
          type: "error",
          code: step ? "provisioning_failed" : "session_failed",
          message: step ? `${step}: ${reason}` : reason,
        },
      ],
    });
    await cancelOpenWork(tx, sessionId);
  });
}

/**
 * Stops a session whose idle timer ran out. False when it was not idle after all (a turn started
 * meanwhile): the transition is refused and nothing changes.
 */
export async function stopIdleSession(db: Db, sessionId: string): Promise<boolean> {
  const row = await db.studioSession.findUnique({
    where: { id: sessionId },
    select: { idleTimeoutSeconds: true },
  });
  const minutes = Math.round((row?.idleTimeoutSeconds ?? 0) / 60);
  const reason =
    minutes >= 1
      ? `Stopped after ${minutes} min without activity`
      : "Stopped after a period without activity";
  try {
    await db.$transaction(async (tx) => {
      await applyTransitionInTx(tx, sessionId, "idle_timeout", {
        reason,
        data: { stoppedAt: new Date() },
        events: [{ type: "session_ended", reason }],
      });
      await cancelOpenWork(tx, sessionId);
    });
    return true;
  } catch {
    return false;
  }
}

/** Lets go of an ended session's lease, only while it is still ended (a resume may have handed it on). */
export async function releaseEndedSessionLease(db: Db, sessionId: string) {
  await db.studioSession.updateMany({
    where: { id: sessionId, status: { in: ["stopped", "error"] } },
    data: { runnerId: null, runnerLeaseExpiresAt: null },
  });
}

// ───────────────────────── orphaned sandboxes, at boot ─────────────────────────

export async function isSessionLive(db: Db, sessionId: string): Promise<boolean> {
  return (
    (await db.studioSession.count({
      where: { id: sessionId, status: { in: [...LIVE_STATUSES] } },
    })) > 0
  );
}

/** Those of `sessionIds` that are live. */
export async function liveSessionIdsAmong(db: Db, sessionIds: string[]): Promise<Set<string>> {
  const live = await db.studioSession.findMany({
    where: { id: { in: sessionIds }, status: { in: [...LIVE_STATUSES] } },
    select: { id: true },
  });
  return new Set(live.map((row) => row.id));
}
