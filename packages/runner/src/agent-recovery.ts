// When the agent dies: its process exiting (seen on the stream) or its sandbox-agent server no
// longer answering (seen by the watchdog). One restart per runner with the conversation loaded
// back; a second failure ends the session in error with the reason.
import { startAgentSession } from "./agent-connection.ts";
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
    await deps.db.studioSession.update({
      where: { id: sessionId },
      data: { acpServerId: state.connection.acpServerId, agentEventCursor: null },
    });
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
