// A turn: `turn_started` (status `active`), the prompt sent over ACP, and `turn_ended` with the stop
// reason and token counts when its response comes back (status `idle`); then the next queued
// command may run. A turn that fails ends with `error` and the reason in the log.
import { normalisePromptResult } from "@studio/acp";
import type { StopReason } from "@studio/acp/events";
import { appendEvents, applyTransition, applyTransitionInTx, completeCommand, newId } from "@studio/core";
import type { RunnerContext } from "./runner-state.ts";

export function startTurn(runner: RunnerContext, commandId: bigint, messageId: string, text: string) {
  const { state, deps, sessionId } = runner;
  const connection = state.connection;
  if (!connection) return;
  const turnId = newId();
  state.turn = { id: turnId, commandId };
  void (async () => {
    try {
      await runner.writer.flushed();
      await applyTransition(deps.db, sessionId, "turn_started", {
        data: { currentTurnId: turnId, lastActivityAt: new Date() },
        events: [{ type: "turn_started", turnId, promptMessageId: messageId }],
      });
      const result = await connection.client.prompt(connection.agentSessionId, [{ type: "text", text }]);
      const normalised = normalisePromptResult(result);
      if (state.turn?.id === turnId)
        await endTurn(runner, normalised.stopReason, normalised.inputTokens, normalised.outputTokens);
    } catch (error) {
      if (state.stopped || state.turn?.id !== turnId) return;
      if ((error as Error).name === "AgentExitedError") return; // onAgentExited ends the turn
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
) {
  const { state, deps, sessionId, writer } = runner;
  const turn = state.turn;
  if (!turn) return;
  state.turn = null;
  if (errorMessage) writer.push([{ type: "error", code: "turn_failed", message: errorMessage }]);
  await writer.flushed();
  const { db } = deps;
  await db.$transaction(async (tx) => {
    const row = await tx.studioSession.findUnique({
      where: { id: sessionId },
      select: { status: true },
    });
    const ended = { type: "turn_ended" as const, turnId: turn.id, stopReason, inputTokens, outputTokens };
    if (row?.status === "active") {
      await applyTransitionInTx(tx, sessionId, "turn_ended", {
        data: { currentTurnId: null, lastActivityAt: new Date() },
        events: [ended],
      });
    } else {
      await appendEvents(tx, sessionId, [ended]);
    }
  });
  if (turn.commandId !== null)
    await completeCommand(
      db,
      turn.commandId,
      stopReason === "error" ? (errorMessage ?? "turn failed") : undefined,
    );
  runner.background(runner.drainCommands());
}
