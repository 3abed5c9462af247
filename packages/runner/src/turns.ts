// A turn: `turn_started` (status `active`), the prompt sent over ACP, and `turn_ended` with the stop
// reason and token counts when its response comes back (status `idle`); then the next queued
// command may run (the whole loop is drawn in command-loop.ts). A turn that fails ends with
// `error` and the reason in the log.
import { AgentExitedError, normalisePromptResult } from "@studio/acp";
import type { StopReason } from "@studio/acp/events";
import { newId } from "@studio/core";
import { currentTurnIdOf, markTurnStarted, recordTurnEnded } from "@studio/core/runner";
import { promptContent } from "./memory-rebuild.ts";
import type { RunnerContext } from "./runner-state.ts";
import { settledTextEvents } from "./settled-text.ts";
import { isDatabaseAway, outageDelayMs } from "./store-recovery.ts";

/**
 * Records the turn's start, through a database outage: a statement cut off may have committed, so
 * once the database answers the row says whether to try again or go on.
 */
async function recordTurnStarted(runner: RunnerContext, turnId: string, messageId: string) {
  const { deps, sessionId } = runner;
  for (let attempt = 0; ; attempt++) {
    try {
      if (attempt > 0 && (await currentTurnIdOf(deps.db, sessionId)) === turnId) return;
      await markTurnStarted(deps.db, sessionId, turnId, messageId);
      return;
    } catch (error) {
      if (!isDatabaseAway(error) || runner.state.stopped) throw error;
      await new Promise((resolve) => setTimeout(resolve, outageDelayMs(attempt)));
    }
  }
}

/** How long the prompt's response waits for its copy on the agent's stream. */
const STREAM_COPY_WAIT_MS = 10_000;

function untilTurnEnds(runner: RunnerContext, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    runner.state.turnEndWaiters.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function startTurn(runner: RunnerContext, commandId: bigint, messageId: string, text: string) {
  const { state, sessionId } = runner;
  const connection = state.connection;
  if (!connection) return;
  const turnId = newId();
  state.turn = { id: turnId, commandId };
  state.streamedText = new Map();
  state.lastAgentActivityAt = Date.now();
  void (async () => {
    try {
      await runner.writer.flushed().catch((error: Error) => {
        if (!isDatabaseAway(error)) throw error;
      });
      await recordTurnStarted(runner, turnId, messageId);
      const content = await promptContent(runner, messageId, text);
      const result = await connection.client.prompt(connection.agentSessionId, content, {
        onId: (id) => state.promptRequestIds.set(turnId, id),
      });
      // The stream's copy of the response ends the turn after every update that came before it
      // has been stored; this copy can arrive first. It ends the turn only if that one never comes.
      if (state.turn?.id === turnId) await untilTurnEnds(runner, STREAM_COPY_WAIT_MS);
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
  state.endingTurn = true;
  for (const wake of state.turnEndWaiters.splice(0)) wake();
  try {
    writer.push(state.openToolCalls.closeAll());
    writer.push(await settledTextEvents(runner));
    if (errorMessage) writer.push([{ type: "error", code: "turn_failed", message: errorMessage }]);
    await writer.flushed();
    // The turn's end, its cursor and its prompt command commit together: after a database outage
    // (see store-recovery.ts) the session row alone says whether the turn still runs, and a prompt
    // whose turn ended is never queued again.
    await recordTurnEnded(deps.db, sessionId, {
      turnId: turn.id,
      commandId: turn.commandId,
      stopReason,
      inputTokens,
      outputTokens,
      errorMessage,
      agentCursor: options.agentCursor,
    });
  } finally {
    state.endingTurn = false;
  }
  // Back to the command loop (command-loop.ts): the next queued prompt may run now.
  runner.background(runner.drainCommands());
}
