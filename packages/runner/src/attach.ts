// How a runner gets its agent: a new sandbox (or a stopped session's, resumed) provisioned step by
// step, or, when another runner had the session, re-attaching to the running agent with the stored
// stream cursor; when that agent is gone, a new one with the conversation loaded back.
import {
  issueGatewayToken,
  markProvisioned,
  recordNewAgentProcess,
  runningPromptCommandId,
} from "@studio/core/runner";
import {
  type AgentConnection,
  provisionAgent,
  reattachAgent,
  startAgentSession,
} from "./agent-connection.ts";
import { noteMemoryRebuilt } from "./memory-rebuild.ts";
import type { RunnerContext } from "./runner-state.ts";
import type { SessionRow } from "./session-row.ts";
import { restoreTurnState } from "./turn-state.ts";
import { endTurn } from "./turns.ts";
import { prepareWorkspaceSource } from "./workspace-source.ts";

/** A fresh gateway token (only its hash is stored) and the workspace that carries it. */
async function workspaceWithNewToken(runner: RunnerContext, session: SessionRow) {
  const gatewayToken = await issueGatewayToken(runner.deps.db, runner.sessionId);
  return runner.deps.workspaceFor(session, gatewayToken);
}

export async function provision(runner: RunnerContext, session: SessionRow) {
  const { deps, sessionId, state } = runner;
  const workspace = await workspaceWithNewToken(runner, session);
  let connection: AgentConnection;
  if (session.sandboxId && session.agentSessionId) {
    // Resuming a stopped session: the same workspace, the conversation loaded back.
    const sandbox = await deps.provider.resume(session.sandboxId, {
      sessionId,
      env: workspace.env,
      files: workspace.files,
      signal: runner.attachSignal,
    });
    connection = await startAgentSession(
      runner.connectOptions(),
      sandbox,
      session.agentSessionId,
      runner.startLoadingHistory,
    );
  } else {
    connection = await provisionAgent(runner.connectOptions(), workspace, (sandbox) =>
      prepareWorkspaceSource(runner, session, sandbox, workspace.env),
    );
  }
  state.connection = connection;
  const provisionedUpload = session.sandboxId ? null : session.sourceUploadId;
  try {
    await runner.writer.flushed();
    await markProvisioned(deps.db, sessionId, {
      sandboxId: connection.sandbox.id,
      agentSessionId: connection.agentSessionId,
      acpServerId: connection.acpServerId,
    });
  } catch (error) {
    // Stopped meanwhile, say. A new sandbox the session does not refer to would run on unseen; a
    // resumed one keeps its workspace for the next resume.
    state.connection = null;
    await connection.client.close().catch(() => {});
    await deps.provider
      .destroy(connection.sandbox.id, { keepWorkspace: session.sandboxId === connection.sandbox.id })
      .catch(() => {});
    throw error;
  }
  noteMemoryRebuilt(runner, connection);
  if (provisionedUpload)
    await deps.sources
      .discardUpload(provisionedUpload)
      .catch((error: Error) =>
        runner.log.warn({ sessionId, err: error.message }, "the used upload could not be removed"),
      );
}

export async function reattach(runner: RunnerContext, session: SessionRow) {
  const { deps, sessionId, state } = runner;
  if (!session.sandboxId || !session.agentSessionId || !session.acpServerId) {
    throw new Error("The session has no sandbox to re-attach to.");
  }
  let sandbox = await deps.provider.connect(session.sandboxId).catch(() => null);
  if (!sandbox || !(await deps.provider.health(session.sandboxId))) {
    // The agent server is gone (the studio restarted, maybe on another address): start it again
    // over the kept workspace with a fresh gateway token and the gateway's current URL.
    const workspace = await workspaceWithNewToken(runner, session);
    sandbox = await deps.provider.resume(session.sandboxId, {
      sessionId,
      env: workspace.env,
      files: workspace.files,
      signal: runner.attachSignal,
    });
  }
  const resumed = await reattachAgent(
    runner.connectOptions(),
    sandbox,
    session.acpServerId,
    session.agentSessionId,
    session.agentEventCursor,
  );
  if (resumed) {
    state.connection = resumed;
    if (session.currentTurnId) {
      // The turn another replica started goes on; its prompt command is finished here.
      const commandId = await runningPromptCommandId(deps.db, sessionId);
      state.turn = { id: session.currentTurnId, commandId };
      await restoreTurnState(runner, session.currentTurnId);
      state.lastAgentActivityAt = Date.now();
    }
    runner.log.info({ sessionId }, "re-attached to the agent");
    return;
  }
  // The agent process is gone: a new one, with the conversation loaded back.
  state.connection = await startAgentSession(
    runner.connectOptions(),
    sandbox,
    session.agentSessionId,
    runner.startLoadingHistory,
  );
  await recordNewAgentProcess(deps.db, sessionId, state.connection);
  noteMemoryRebuilt(runner, state.connection);
  if (session.currentTurnId)
    await endTurn(runner, "error", null, null, "The agent restarted; the running turn was interrupted.");
}
