// A turn: `turn_started` (status `active`), the prompt sent over ACP, and `turn_ended` with the stop
// reason and token counts when its response comes back (status `idle`); then the next queued
// command may run. A turn that fails ends with `error` and the reason in the log.
import { AgentExitedError, normalisePromptResult } from "@studio/acp";
import type { StopReason } from "@studio/acp/events";
import { appendEvents, applyTransition, applyTransitionInTx, completeCommand, newId } from "@studio/core";
import type { RunnerContext } from "./runner-state.ts";
import { isDatabaseAway, outageDelayMs } from "./store-recovery.ts";

/**
 * Records the turn's start, through a database outage: a statement cut off may have committed, so
 * once the database answers the row says whether to try again or go on.
 */
async function recordTurnStarted(runner: RunnerContext, turnId: string, messageId: string) {
  const { deps, sessionId } = runner;
  for (let attempt = 0; ; attempt++) {
    try {
      if (attempt > 0) {
        const row = await deps.db.studioSession.findUnique({
          where: { id: sessionId },
          select: { currentTurnId: true },
        });
        if (row?.currentTurnId === turnId) return;
      }
      await applyTransition(deps.db, sessionId, "turn_started", {
        data: { currentTurnId: turnId, lastActivityAt: new Date() },
        events: [{ type: "turn_started", turnId, promptMessageId: messageId }],
      });
      return;
    } catch (error) {
      if (!isDatabaseAway(error) || runner.state.stopped) throw error;
      await new Promise((resolve) => setTimeout(resolve, outageDelayMs(attempt)));
    }
  }
}

export function startTurn(runner: RunnerContext, commandId: bigint, messageId: string, text: string) {
  const { state, sessionId } = runner;
  const connection = state.connection;
  if (!connection) return;
  const turnId = newId();
  state.turn = { id: turnId, commandId };
  void (async () => {
    try {
      await runner.writer.flushed().catch((error: Error) => {
        if (!isDatabaseAway(error)) throw error;
      });
      await recordTurnStarted(runner, turnId, messageId);
      const result = await connection.client.prompt(connection.agentSessionId, [{ type: "text", text }], {
        onId: (id) => state.promptRequestIds.set(turnId, id),
      });
      const normalised = normalisePromptResult(result);
      if (state.turn?.id === turnId)
        await endTurn(runner, normalised.stopReason, normalised.inputTokens, normalised.outputTokens);
    } catch (error) {
      if (state.stopped || state.turn?.id !== turnId) return;
      // The end did not commit: the prompt's response, read again from the stream, ends the turn.
      if (isDatabaseAway(error)) return;
      if (error instanceof AgentExitedError) return; // onAgentExited ends the turn
      runner.log.warn({ sessionId, err: (error as Error).message }, "prompt failed");
      await endTurn(runner, "error", null, null, (error as Error).message);
    }
  })();
}

export async function endTurn(
  runner: RunnerContext,
  stopReason: StopReason,
  inputTokens: number | null,
  outputTokens: number | null,
  errorMessage?: string,
  /** The prompt's response came off the agent's stream here: stored with the turn's end. */
  options: { agentCursor?: string } = {},
) {
  const { state, deps, sessionId, writer } = runner;
  const turn = state.turn;
  if (!turn) return;
  state.turn = null;
  if (errorMessage) writer.push([{ type: "error", code: "turn_failed", message: errorMessage }]);
  await writer.flushed();
  const { db } = deps;
  const cursor = options.agentCursor ? { agentEventCursor: options.agentCursor } : {};
  // The turn's end, its cursor and its prompt command commit together: after a database outage
  // (see store-recovery.ts) the session row alone says whether the turn still runs, and a prompt
  // whose turn ended is never queued again.
  await db.$transaction(async (tx) => {
    const row = await tx.studioSession.findUnique({
      where: { id: sessionId },
      select: { status: true },
    });
    const ended = { type: "turn_ended" as const, turnId: turn.id, stopReason, inputTokens, outputTokens };
    if (row?.status === "active") {
      await applyTransitionInTx(tx, sessionId, "turn_ended", {
        data: { currentTurnId: null, lastActivityAt: new Date(), ...cursor },
        events: [ended],
      });
    } else {
      await appendEvents(tx, sessionId, [ended], cursor);
    }
    if (turn.commandId !== null)
      await completeCommand(
        tx,
        turn.commandId,
        stopReason === "error" ? (errorMessage ?? "turn failed") : undefined,
      );
  });
  runner.background(runner.drainCommands());
}
