// One runner per live session, on the replica that holds its lease. It is the only consumer of the
// agent's stream: every message is normalised, stored (with the stream cursor) and only then seen
// by subscribers. Commands from any replica reach it through the database.
import { type AcpClient, type AcpInbound, normaliseAgentMessage, normalisePromptResult } from "@studio/acp";
import {
  appendEvents,
  applyTransition,
  applyTransitionInTx,
  cancelOpenWork,
  cancelPendingInteractions,
  claimCommands,
  completeCommand,
  hashSecret,
  newId,
  pendingInteractionsOf,
  type QueuedCommand,
  randomToken,
  requeueUnfinishedCommands,
} from "@studio/core";
import type { Db } from "@studio/db";
import type { SandboxProvider } from "@studio/sandbox";
import {
  type AgentConnection,
  type ConnectOptions,
  ProvisioningError,
  provisionAgent,
  reattachAgent,
  startAgentSession,
} from "./agent-connection.ts";
import { EventWriter } from "./event-writer.ts";
import {
  cancelledInteractionEvents,
  recordAgentInteractions,
  replyPermission,
  replyQuestion,
} from "./interaction-bridge.ts";
import type { RunnerLogger } from "./logger.ts";
import { loadSessionRow, type SessionRow } from "./session-row.ts";

export interface RunnerDeps {
  db: Db;
  provider: SandboxProvider;
  logger: RunnerLogger;
  /** Files and environment for a new or resumed sandbox; the gateway token is minted per provisioning. */
  workspaceFor(
    session: SessionRow,
    gatewayToken: string,
  ): Promise<{ files: import("@studio/sandbox").WorkspaceFile[]; env: Record<string, string> }>;
}

const AGENT_RESTARTS_ALLOWED = 1;

export class SessionRunner {
  private connection: AgentConnection | null = null;
  private writer: EventWriter;
  private turn: { id: string; commandId: bigint | null } | null = null;
  private draining = false;
  private drainAgain = false;
  private stopped = false;
  private stopping: Promise<void> | null = null;
  private loadingHistory = false;
  private agentRestarts = 0;
  private unhealthyChecks = 0;
  private failedStep: string | null = null;
  private watching = false;
  private readonly interactionIds = new Map<string, string>();
  private readonly askedQuestions = new Set<string>();
  private readonly log: RunnerLogger;

  constructor(
    private readonly deps: RunnerDeps,
    readonly sessionId: string,
  ) {
    this.log = deps.logger;
    this.writer = new EventWriter(deps.db, sessionId, (error) =>
      this.log.error({ sessionId, err: error.message }, "event write failed"),
    );
  }

  // ───────────────────────── start: provision, resume or re-attach ─────────────────────────

  async start(): Promise<void> {
    const session = await this.loadRow();
    if (!session || this.stopped) return;
    await requeueUnfinishedCommands(this.deps.db, this.sessionId);
    for (const row of await pendingInteractionsOf(this.deps.db, this.sessionId))
      this.interactionIds.set(row.agentRequestId, row.id);
    try {
      if (session.status === "provisioning") await this.provision(session);
      else await this.reattach(session);
    } catch (error) {
      await this.fail(error instanceof ProvisioningError ? (this.failedStep ?? error.label) : null, error);
      return;
    }
    this.background(this.drainCommands());
  }

  private connectOptions(): ConnectOptions {
    return {
      provider: this.deps.provider,
      sessionId: this.sessionId,
      logger: this.log,
      report: (event) => {
        // The innermost step fails first (a provider step inside "Creating the sandbox").
        if (event.type === "provisioning" && event.state === "failed") this.failedStep ??= event.label;
        this.writer.push([event]);
      },
      onClient: (client) => this.background(this.consume(client)),
    };
  }

  private async provision(session: SessionRow) {
    const gatewayToken = randomToken(20);
    await this.deps.db.studioSession.update({
      where: { id: this.sessionId },
      data: { gatewayTokenHash: hashSecret(gatewayToken) },
    });
    const workspace = await this.deps.workspaceFor(session, gatewayToken);
    let connection: AgentConnection;
    if (session.sandboxId && session.agentSessionId) {
      // Resuming a stopped session: the same workspace, the conversation loaded back.
      const sandbox = await this.deps.provider.resume(session.sandboxId, {
        sessionId: this.sessionId,
        env: workspace.env,
        files: workspace.files,
      });
      connection = await startAgentSession(
        this.connectOptions(),
        sandbox,
        session.agentSessionId,
        this.startLoadingHistory,
      );
    } else {
      connection = await provisionAgent(this.connectOptions(), workspace);
    }
    this.connection = connection;
    await this.writer.flushed();
    await applyTransition(this.deps.db, this.sessionId, "provisioned", {
      reason: "The agent is ready",
      data: {
        readyAt: new Date(),
        lastActivityAt: new Date(),
        sandboxId: connection.sandbox.id,
        agentSessionId: connection.agentSessionId,
        acpServerId: connection.acpServerId,
        agentEventCursor: null,
      },
    });
  }

  private async reattach(session: SessionRow) {
    if (!session.sandboxId || !session.agentSessionId || !session.acpServerId) {
      throw new Error("The session has no sandbox to re-attach to.");
    }
    let sandbox = await this.deps.provider.connect(session.sandboxId).catch(() => null);
    if (!sandbox || !(await this.deps.provider.health(session.sandboxId))) {
      // The agent server is gone (the studio restarted, maybe on another address): start it again
      // over the kept workspace with a fresh gateway token and the gateway's current URL.
      const gatewayToken = randomToken(20);
      await this.deps.db.studioSession.update({
        where: { id: this.sessionId },
        data: { gatewayTokenHash: hashSecret(gatewayToken) },
      });
      const workspace = await this.deps.workspaceFor(session, gatewayToken);
      sandbox = await this.deps.provider.resume(session.sandboxId, {
        sessionId: this.sessionId,
        env: workspace.env,
        files: workspace.files,
      });
    }
    const resumed = await reattachAgent(
      this.connectOptions(),
      sandbox,
      session.acpServerId,
      session.agentSessionId,
      session.agentEventCursor,
    );
    if (resumed) {
      this.connection = resumed;
      if (session.currentTurnId) {
        // The turn another replica started goes on; its prompt command is finished here.
        const prompt = await this.deps.db.sessionCommand.findFirst({
          where: { sessionId: this.sessionId, kind: "prompt", status: "running" },
          orderBy: { id: "desc" },
          select: { id: true },
        });
        this.turn = { id: session.currentTurnId, commandId: prompt?.id ?? null };
      }
      this.log.info({ sessionId: this.sessionId }, "re-attached to the agent");
      return;
    }
    // The agent process is gone: a new one, with the conversation loaded back.
    this.connection = await startAgentSession(
      this.connectOptions(),
      sandbox,
      session.agentSessionId,
      this.startLoadingHistory,
    );
    await this.deps.db.studioSession.update({
      where: { id: this.sessionId },
      data: { acpServerId: this.connection.acpServerId, agentEventCursor: null },
    });
    if (session.currentTurnId)
      await this.endTurn("error", null, null, "The agent restarted; the running turn was interrupted.");
  }

  // ───────────────────────── the agent's stream ─────────────────────────

  private async consume(client: AcpClient) {
    try {
      for await (const inbound of client.messages()) {
        const replaced = this.connection !== null && this.connection.client !== client;
        if (this.stopped || replaced) break;
        await this.onInbound(inbound);
      }
    } catch (error) {
      if (!this.stopped)
        this.log.warn({ sessionId: this.sessionId, err: (error as Error).message }, "agent stream ended");
    }
  }

  private async onInbound(inbound: AcpInbound) {
    if (inbound.type === "agent_exited") {
      await this.onAgentExited();
      return;
    }
    if (inbound.type === "response") {
      // History replayed by session/load precedes its response on the stream: replay ends here.
      if (inbound.method === "session/load") this.loadingHistory = false;
      // A prompt sent by another replica before a takeover ends here.
      if (
        inbound.method === null &&
        this.turn &&
        inbound.result &&
        typeof inbound.result === "object" &&
        "stopReason" in inbound.result
      ) {
        const result = normalisePromptResult(inbound.result);
        await this.endTurn(result.stopReason, result.inputTokens, result.outputTokens);
      }
      return;
    }
    if (this.loadingHistory && inbound.type === "notification") return; // history replayed by session/load: already stored
    const serverId = this.connection?.acpServerId ?? "unknown";
    const events = normaliseAgentMessage(inbound.message, {
      interactionIdFor: (key) => this.interactionIdFor(`${serverId}:${key}`),
      askedQuestionIds: this.askedQuestions,
      eventId: inbound.eventId,
    });
    await recordAgentInteractions(
      this.deps.db,
      this.sessionId,
      serverId,
      inbound,
      events,
      this.askedQuestions,
    );
    this.writer.push(events, inbound.eventId);
  }

  /** Until the stream shows session/load's response, replayed history is not stored again. */
  private readonly startLoadingHistory = (loading: boolean) => {
    if (loading) this.loadingHistory = true;
  };

  private interactionIdFor(key: string): string {
    let id = this.interactionIds.get(key);
    if (!id) {
      id = newId();
      this.interactionIds.set(key, id);
    }
    return id;
  }

  private async onAgentExited() {
    if (this.stopped) return;
    this.log.warn({ sessionId: this.sessionId }, "the agent process exited");
    this.writer.push([
      { type: "error", code: "agent_exited", message: "The agent process stopped unexpectedly." },
    ]);
    await this.recoverAgent("The agent was restarted and the conversation reloaded.", false);
  }

  /**
   * One restart per runner: a new agent process (and, when the server itself died, a new
   * sandbox-agent) with the conversation loaded back; a second failure ends the session in error.
   */
  private async recoverAgent(notice: string, restartServer: boolean) {
    if (this.turn) await this.endTurn("error", null, null);
    await this.cancelInteractions();
    if (this.agentRestarts >= AGENT_RESTARTS_ALLOWED || !this.connection) {
      await this.fail("agent", new Error("The agent stopped and could not be restarted."));
      return;
    }
    this.agentRestarts += 1;
    const { agentSessionId, client } = this.connection;
    let { sandbox } = this.connection;
    this.connection = null;
    await client.close().catch(() => {});
    try {
      if (restartServer) sandbox = await this.deps.provider.restartAgentServer(sandbox.id);
      this.connection = await startAgentSession(
        this.connectOptions(),
        sandbox,
        agentSessionId,
        this.startLoadingHistory,
      );
      await this.deps.db.studioSession.update({
        where: { id: this.sessionId },
        data: { acpServerId: this.connection.acpServerId, agentEventCursor: null },
      });
      this.unhealthyChecks = 0;
      this.writer.push([{ type: "notice", level: "warning", code: "agent_restarted", message: notice }]);
      this.background(this.drainCommands());
    } catch (error) {
      await this.fail("agent", error);
    }
  }

  // ───────────────────────── commands ─────────────────────────

  /** Runs pending commands; called on start, on NOTIFY, after each turn and periodically. */
  async drainCommands(): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    try {
      do {
        this.drainAgain = false;
        if (this.stopped || !this.connection) return;
        const commands = await claimCommands(this.deps.db, this.sessionId, { prompt: this.turn === null });
        for (const command of commands) await this.execute(command);
      } while (this.drainAgain);
    } finally {
      this.draining = false;
    }
  }

  private async execute(queued: QueuedCommand) {
    const { command } = queued;
    try {
      switch (command.kind) {
        case "prompt":
          this.startTurn(queued.id, command.messageId, command.text);
          return; // completed when the turn ends
        case "cancel":
          if (this.connection) await this.connection.client.cancel(this.connection.agentSessionId);
          await this.cancelInteractions();
          break;
        case "permission_reply":
          if (this.connection)
            await replyPermission(
              this.deps.db,
              this.connection.client,
              command.interactionId,
              command.optionId,
            );
          break;
        case "question_reply":
          if (this.connection)
            await replyQuestion(
              this.deps.db,
              this.connection.sandbox,
              command.interactionId,
              command.answers,
            );
          break;
        case "stop":
          await completeCommand(this.deps.db, queued.id);
          await this.shutdown({ destroy: true });
          return;
        case "resume":
          break;
      }
      await completeCommand(this.deps.db, queued.id);
    } catch (error) {
      this.log.warn(
        { sessionId: this.sessionId, command: command.kind, err: (error as Error).message },
        "command failed",
      );
      await completeCommand(this.deps.db, queued.id, (error as Error).message);
    }
  }

  /** Answers every waiting request as cancelled, in the log and to the agent. */
  private async cancelInteractions() {
    const cancelled = await cancelPendingInteractions(this.deps.db, this.sessionId);
    const events = cancelledInteractionEvents(cancelled);
    this.writer.push(events);
  }

  // ───────────────────────── turns ─────────────────────────

  private startTurn(commandId: bigint, messageId: string, text: string) {
    const connection = this.connection;
    if (!connection) return;
    const turnId = newId();
    this.turn = { id: turnId, commandId };
    void (async () => {
      try {
        await this.writer.flushed();
        await applyTransition(this.deps.db, this.sessionId, "turn_started", {
          data: { currentTurnId: turnId, lastActivityAt: new Date() },
          events: [{ type: "turn_started", turnId, promptMessageId: messageId }],
        });
        const result = await connection.client.prompt(connection.agentSessionId, [{ type: "text", text }]);
        const normalised = normalisePromptResult(result);
        if (this.turn?.id === turnId)
          await this.endTurn(normalised.stopReason, normalised.inputTokens, normalised.outputTokens);
      } catch (error) {
        if (this.stopped || this.turn?.id !== turnId) return;
        if ((error as Error).name === "AgentExitedError") return; // onAgentExited ends the turn
        this.log.warn({ sessionId: this.sessionId, err: (error as Error).message }, "prompt failed");
        await this.endTurn("error", null, null, (error as Error).message);
      }
    })();
  }

  private async endTurn(
    stopReason: import("@studio/acp/events").StopReason,
    inputTokens: number | null,
    outputTokens: number | null,
    errorMessage?: string,
  ) {
    const turn = this.turn;
    if (!turn) return;
    this.turn = null;
    if (errorMessage) this.writer.push([{ type: "error", code: "turn_failed", message: errorMessage }]);
    await this.writer.flushed();
    const { db } = this.deps;
    await db.$transaction(async (tx) => {
      const row = await tx.studioSession.findUnique({
        where: { id: this.sessionId },
        select: { status: true },
      });
      const ended = { type: "turn_ended" as const, turnId: turn.id, stopReason, inputTokens, outputTokens };
      if (row?.status === "active") {
        await applyTransitionInTx(tx, this.sessionId, "turn_ended", {
          data: { currentTurnId: null, lastActivityAt: new Date() },
          events: [ended],
        });
      } else {
        await appendEvents(tx, this.sessionId, [ended]);
      }
    });
    if (turn.commandId !== null)
      await completeCommand(
        db,
        turn.commandId,
        stopReason === "error" ? (errorMessage ?? "turn failed") : undefined,
      );
    this.background(this.drainCommands());
  }

  // ───────────────────────── ending ─────────────────────────

  private async fail(step: string | null, error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    this.log.warn({ sessionId: this.sessionId, step, err: reason }, "session failed");
    await this.writer.flushed().catch(() => {});
    await this.deps.db
      .$transaction(async (tx) => {
        await applyTransitionInTx(tx, this.sessionId, "fail", {
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
        await cancelOpenWork(tx, this.sessionId);
      })
      .catch((transitionError: Error) =>
        this.log.warn({ err: transitionError.message }, "could not record the failure"),
      );
    await this.shutdown({ destroy: true });
  }

  /**
   * Ends this runner. `destroy` frees the sandbox (its workspace is kept for `resume`); otherwise
   * the sandbox keeps running for whichever replica takes the session over.
   */
  async shutdown({ destroy }: { destroy: boolean }): Promise<void> {
    // Idempotent: a second caller (the manager after a stop command) waits for the same teardown.
    this.stopping ??= this.teardown(destroy);
    return this.stopping;
  }

  private async teardown(destroy: boolean) {
    this.stopped = true;
    await this.writer.flushed().catch(() => {});
    const connection = this.connection;
    this.connection = null;
    await connection?.client.close().catch(() => {});
    const sandboxId = connection?.sandbox.id ?? (await this.loadRow())?.sandboxId;
    if (destroy && sandboxId) {
      await this.deps.provider
        .destroy(sandboxId, { keepWorkspace: true })
        .catch((error: Error) =>
          this.log.warn({ sessionId: this.sessionId, err: error.message }, "sandbox teardown failed"),
        );
    }
    if (destroy) {
      // Let go of the lease only if this runner still holds it (a resume may have handed it on).
      await this.deps.db.studioSession.updateMany({
        where: { id: this.sessionId, status: { in: ["stopped", "error"] } },
        data: { runnerId: null, runnerLeaseExpiresAt: null },
      });
    }
  }

  /**
   * Called on every manager tick. A sandbox-agent that stopped answering (its process died, the
   * machine restarted) gets one restart with the conversation loaded back; after that the session
   * fails with the reason. Also keeps a provider with wall-clock timeouts (E2B) from pausing a
   * session that is in use.
   */
  async watchdog(): Promise<void> {
    const connection = this.connection;
    if (!connection || this.stopped || this.watching) return;
    this.watching = true;
    try {
      const healthy = await this.deps.provider.health(connection.sandbox.id).catch(() => false);
      if (healthy) {
        this.unhealthyChecks = 0;
        if (this.turn) await this.deps.provider.keepAlive?.(connection.sandbox.id);
        return;
      }
      this.unhealthyChecks += 1;
      if (this.unhealthyChecks < 2 || this.connection !== connection) return;
      this.log.warn({ sessionId: this.sessionId }, "the sandbox's agent server stopped answering");
      await this.recoverAgent(
        "The sandbox's agent server stopped; it was restarted and the conversation reloaded.",
        true,
      );
    } finally {
      this.watching = false;
    }
  }

  /** Work started without awaiting: a failure is logged, never an unhandled rejection. */
  private background(work: Promise<unknown>) {
    work.catch((error: Error) =>
      this.log.error(
        { sessionId: this.sessionId, err: error.message, stack: error.stack },
        "runner task failed",
      ),
    );
  }

  get isStopped() {
    return this.stopped;
  }

  private loadRow(): Promise<SessionRow | null> {
    return loadSessionRow(this.deps.db, this.sessionId);
  }
}
