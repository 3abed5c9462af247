// When the agent dies: its process exiting (seen on the stream) or its sandbox-agent server no
// longer answering (seen by the watchdog). One restart per runner with the conversation loaded
// back; a second failure ends the session in error with the reason.
import { isAgentSessionBusy } from "@studio/acp";
import { recordNewAgentProcess } from "@studio/core/runner";
import { startAgentSession } from "./agent-connection.ts";
import { noteMemoryRebuilt } from "./memory-rebuild.ts";
import { opencodeApiOptions } from "./opencode-api.ts";
import type { RunnerContext } from "./runner-state.ts";
import { endTurn } from "./turns.ts";

const AGENT_RESTARTS_ALLOWED = 1;

export async function onAgentExited(runner: RunnerContext) {
  if (runner.state.stopped) return;
  runner.log.warn({ sessionId: runner.sessionId }, "the agent process exited");
  runner.writer.push([
    { type: "error", code: "agent_exited", message: "The agent process stopped unexpectedly." },
  ]);
  await recoverAgent(runner, "The agent was restarted and the conversation reloaded.", false);
}

/**
 * One restart per runner: a new agent process (and, when the server itself died, a new
 * sandbox-agent) with the conversation loaded back; a second failure ends the session in error.
 */
async function recoverAgent(runner: RunnerContext, notice: string, restartServer: boolean) {
  const { state, deps, sessionId } = runner;
  if (state.turn) await endTurn(runner, "error", null, null);
  await runner.cancelInteractions();
  if (state.agentRestarts >= AGENT_RESTARTS_ALLOWED || !state.connection) {
    await runner.fail("agent", new Error("The agent stopped and could not be restarted."));
    return;
  }
  state.agentRestarts += 1;
  const { agentSessionId, client } = state.connection;
  let { sandbox } = state.connection;
  state.connection = null;
  await client.close().catch(() => {});
  try {
    if (restartServer) sandbox = await deps.provider.restartAgentServer(sandbox.id);
    state.connection = await startAgentSession(
      runner.connectOptions(),
      sandbox,
      agentSessionId,
      runner.startLoadingHistory,
    );
    await recordNewAgentProcess(deps.db, sessionId, state.connection);
    noteMemoryRebuilt(runner, state.connection);
    state.unhealthyChecks = 0;
    runner.writer.push([{ type: "notice", level: "warning", code: "agent_restarted", message: notice }]);
    runner.background(runner.drainCommands());
  } catch (error) {
    await runner.fail("agent", error);
  }
}

/**
 * Called on every manager tick. A sandbox-agent that stopped answering (its process died, the
 * machine restarted) gets one restart with the conversation loaded back; after that the session
 * fails with the reason. Also keeps a provider with wall-clock timeouts (E2B) from pausing a
 * session that is in use.
 */
export async function checkAgentHealth(runner: RunnerContext): Promise<void> {
  const { state, deps } = runner;
  const connection = state.connection;
  if (!connection || state.stopped || state.watching) return;
  state.watching = true;
  try {
    const healthy = await deps.provider.health(connection.sandbox.id).catch(() => false);
    if (healthy) {
      state.unhealthyChecks = 0;
      if (state.turn) await deps.provider.keepAlive?.(connection.sandbox.id);
      await checkTurnIsWorkedOn(runner);
      return;
    }
    state.unhealthyChecks += 1;
    if (state.unhealthyChecks < 2 || state.connection !== connection) return;
    runner.log.warn({ sessionId: runner.sessionId }, "the sandbox's agent server stopped answering");
    await recoverAgent(
      runner,
      "The sandbox's agent server stopped; it was restarted and the conversation reloaded.",
      true,
    );
  } finally {
    state.watching = false;
  }
}

/** A turn whose agent has said nothing for this long is checked against the agent's own state. */
const SILENT_TURN_MS = 30_000;

/**
 * A turn the agent is not working on ends in error rather than keep the session `active` forever:
 * its prompt never reached the agent (the studio died between recording the turn and sending it),
 * or its response was lost. OpenCode counts a waiting permission or question as busy, so a turn
 * that waits on a person is left alone. Two checks in a row, so a turn that just ended on the
 * agent's side has its response read from the stream first.
 */
async function checkTurnIsWorkedOn(runner: RunnerContext): Promise<void> {
  const { state } = runner;
  const connection = state.connection;
  // Only OpenCode's HTTP API says whether the agent works on a session; other agents are trusted.
  if (
    connection?.agent !== "opencode" ||
    !state.turn ||
    Date.now() - state.lastAgentActivityAt < SILENT_TURN_MS
  ) {
    state.idleTurnChecks = 0;
    return;
  }
  const options = opencodeApiOptions(connection.sandbox, 5_000);
  // An agent that cannot say is given the benefit of the doubt; the health check covers a dead one.
  const busy = await isAgentSessionBusy(options, connection.agentSessionId).catch(() => true);
  if (busy) {
    state.idleTurnChecks = 0;
    return;
  }
  state.idleTurnChecks += 1;
  if (state.idleTurnChecks < 2 || !state.turn) return;
  state.idleTurnChecks = 0;
  runner.log.warn({ sessionId: runner.sessionId }, "the running turn is not worked on by the agent");
  await endTurn(
    runner,
    "error",
    null,
    null,
    "The agent is not working on this message (the studio stopped while sending it). Send it again.",
  );
}
