// One runner per live session, on the replica that holds its lease. It is the only consumer of the
// agent's stream: every message is normalised, stored (with the stream cursor) and only then seen
// by subscribers. Commands from any replica reach it through the database.
import { type AcpClient, type AcpInbound, normaliseAgentMessage, normalisePromptResult } from "@studio/acp";
import { newId } from "@studio/core";
import {
  failSession,
  foldStreamedText,
  pendingInteractionsOf,
  releaseEndedSessionLease,
  requeueUnfinishedCommands,
} from "@studio/core/runner";
import type { Logger } from "@studio/models";
import { DEFAULT_AGENT, type KnownAgent } from "@studio/models/lists";
import { SandboxProviderShutDownError } from "@studio/sandbox";
import { type ConnectOptions, ProvisioningError } from "./agent-connection.ts";
import { checkAgentHealth, onAgentExited } from "./agent-recovery.ts";
import { provision, reattach } from "./attach.ts";
import { CommandLoop } from "./command-loop.ts";
import { EventWriter } from "./event-writer.ts";
import { recordAgentInteractions } from "./interaction-bridge.ts";
import { initialRunnerState, type RunnerContext, type RunnerDeps } from "./runner-state.ts";
import { loadSessionRow, type SessionRow } from "./session-row.ts";
import { isDatabaseAway, recoverFromOutage } from "./store-recovery.ts";
import { endTurn } from "./turns.ts";

export type { RunnerDeps } from "./runner-state.ts";

export class SessionRunner {
  private readonly state = initialRunnerState();
  private readonly writer: EventWriter;
  private stopping: Promise<void> | null = null;
  /**
   * Aborted at teardown: a provisioning or re-attaching still under way stops (a sandbox being
   * created is ended, not left running unseen) and closes its agent client.
   */
  private readonly attachAbort = new AbortController();
  private attaching: Promise<void> | null = null;
  private readonly interactionIds = new Map<string, string>();
  /** Set while the database is away: the stream is held, then rewound to the stored cursor. */
  private recovering: Promise<void> | null = null;
  private readonly askedQuestions = new Set<string>();
  /** The session's agent, from its row (read at attach). */
  private agent: KnownAgent = DEFAULT_AGENT;
  private readonly log: Logger;
  /** What attach.ts, turns.ts and agent-recovery.ts see of this runner. */
  private readonly context: RunnerContext;
  /** Claims and runs the session's commands: the loop a turn's end comes back to. */
  private readonly commands: CommandLoop;

  constructor(
    private readonly deps: RunnerDeps,
    readonly sessionId: string,
    /** Whether this replica still holds the session's lease (renewing it if so). */
    private readonly holdsLease: () => Promise<boolean> = async () => true,
  ) {
    this.log = deps.logger;
    this.writer = new EventWriter(
      deps.appendQueue,
      sessionId,
      (error) => this.log.error({ sessionId, err: error.message }, "event write failed"),
      (error) => this.holdUntilDatabaseIsBack(error),
    );
    this.context = {
      deps,
      sessionId,
      log: this.log,
      writer: this.writer,
      state: this.state,
      connectOptions: () => this.connectOptions(),
      attachSignal: this.attachAbort.signal,
      startLoadingHistory: (loading) => {
        if (loading) this.state.loadingHistory = true;
      },
      drainCommands: () => this.commands.drain(),
      cancelInteractions: () => this.commands.cancelInteractions(),
      fail: (step, error) => this.fail(step, error),
      background: (work) => this.background(work),
    };
    this.commands = new CommandLoop(this.context, () => this.shutdown({ destroy: true }));
  }

  // ───────────────────────── start: provision, resume or re-attach ─────────────────────────

  async start(): Promise<void> {
    const session = await this.loadRow();
    if (!session || this.state.stopped) return;
    this.agent = session.agent;
    await requeueUnfinishedCommands(this.deps.db, this.sessionId);
    await this.reloadInteractions();
    try {
      this.attaching =
        session.status === "provisioning"
          ? provision(this.context, session)
          : reattach(this.context, session);
      await this.attaching;
    } catch (error) {
      // Shut down meanwhile (this replica stopping, or the session stopped): the session is left as
      // it is, for whoever runs it next; nothing failed.
      if (this.state.stopped) return;
      await this.fail(
        error instanceof ProvisioningError ? (this.state.failedStep ?? error.label) : null,
        error,
      );
      return;
    }
    this.state.attached = true;
    this.background(this.drainCommands());
  }

  private connectOptions(): ConnectOptions {
    return {
      provider: this.deps.provider,
      sessionId: this.sessionId,
      agent: this.agent,
      logger: this.log,
      report: (event) => {
        // The innermost step fails first (a provider step inside "Creating the sandbox").
        if (event.type === "provisioning" && event.state === "failed") this.state.failedStep ??= event.label;
        this.writer.push([event]);
      },
      // The stream can deliver messages before the connection is stored (a re-attach replays what
      // came after the cursor), so the workspace comes with the client, not from the connection.
      onClient: (client, sandbox) => this.background(this.consume(client, sandbox.workspaceDir)),
      signal: this.attachAbort.signal,
    };
  }

  // ───────────────────────── the agent's stream ─────────────────────────

  private async consume(client: AcpClient, workspaceDir: string) {
    try {
      for await (const inbound of client.messages()) {
        const replaced = this.state.connection !== null && this.state.connection.client !== client;
        if (this.state.stopped || replaced) break;
        // Taken before the database went away: the rewind delivers it again, after what committed.
        if (this.recovering || this.writer.isLost) {
          await this.recovering;
          continue;
        }
        try {
          await this.onInbound(inbound, workspaceDir);
        } catch (error) {
          if (!isDatabaseAway(error)) throw error;
          this.holdUntilDatabaseIsBack(error as Error);
        }
      }
    } catch (error) {
      // A stream the studio ended itself (a stop, a shutdown) is no failure: only the others warn.
      const level = this.state.stopped ? "debug" : "warn";
      this.log[level]({ sessionId: this.sessionId, err: (error as Error).message }, "agent stream ended");
    }
  }

  /** The database went away: see store-recovery.ts. One recovery at a time. */
  private holdUntilDatabaseIsBack(cause: Error) {
    if (this.recovering || this.state.stopped) return;
    const deps = {
      loadRow: () => this.loadRow(),
      reloadInteractions: () => this.reloadInteractions(),
      holdsLease: this.holdsLease,
    };
    this.recovering = recoverFromOutage(this.context, deps, cause)
      .then((resumed) => {
        if (resumed) this.background(this.drainCommands());
      })
      // Not an outage after all: the session fails with the reason rather than hang unseen.
      .catch((error: Error) => this.fail(null, error))
      .finally(() => {
        this.recovering = null;
      });
  }

  private async reloadInteractions() {
    for (const row of await pendingInteractionsOf(this.deps.db, this.sessionId))
      this.interactionIds.set(row.agentRequestId, row.id);
  }

  private async onInbound(inbound: AcpInbound, workspaceDir: string) {
    this.state.lastAgentActivityAt = Date.now();
    if (inbound.type === "agent_exited") {
      await onAgentExited(this.context);
      return;
    }
    if (inbound.type === "response") {
      // History replayed by session/load precedes its response on the stream: replay ends here.
      if (inbound.method === "session/load") this.state.loadingHistory = false;
      // The turn's own prompt's response ends it here, with the response's cursor (also one whose
      // end the database missed). A prompt another replica sent before a takeover has an id this
      // runner never saw: its response is the only one not labelled as this client's.
      const turn = this.state.turn;
      const promptId = turn ? this.state.promptRequestIds.get(turn.id) : undefined;
      if (
        turn &&
        (promptId === undefined ? inbound.method === null : String(inbound.id) === String(promptId)) &&
        inbound.result &&
        typeof inbound.result === "object" &&
        "stopReason" in inbound.result
      ) {
        const result = normalisePromptResult(inbound.result);
        await endTurn(this.context, result.stopReason, result.inputTokens, result.outputTokens, undefined, {
          agentCursor: inbound.eventId,
        });
      }
      return;
    }
    if (this.state.loadingHistory && inbound.type === "notification") return; // history replayed by session/load: already stored
    const serverId = this.state.connection?.acpServerId ?? "unknown";
    const events = normaliseAgentMessage(inbound.message, {
      interactionIdFor: (key) => this.interactionIdFor(`${serverId}:${key}`),
      askedQuestionIds: this.askedQuestions,
      eventId: inbound.eventId,
      // Paths in the workspace are shown relative to it: nobody sees where the sandbox lives.
      workspaceDir,
    });
    await recordAgentInteractions(
      this.deps.db,
      this.sessionId,
      serverId,
      inbound,
      events,
      this.askedQuestions,
    );
    if (this.state.turn) foldStreamedText(this.state.streamedText, events);
    this.writer.push(this.state.openToolCalls.track(events), inbound.eventId);
  }

  private interactionIdFor(key: string): string {
    let id = this.interactionIds.get(key);
    if (!id) {
      id = newId();
      this.interactionIds.set(key, id);
    }
    return id;
  }

  // ───────────────────────── commands: see command-loop.ts ─────────────────────────

  /** Runs pending commands; called on start, on NOTIFY, after each turn and periodically. */
  drainCommands(): Promise<void> {
    return this.commands.drain();
  }

  // ───────────────────────── ending ─────────────────────────

  private async fail(step: string | null, error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    // A runner already being ended (the studio shutting down, the session stopped) sees its agent
    // and sandbox go away, or a restart refused by a provider that has shut down: that is not the
    // session failing. Its status stays as it is, and the next start carries it on. A provider
    // that has shut down means this replica is stopping, whether or not this runner was told yet.
    if (this.state.stopped || error instanceof SandboxProviderShutDownError) {
      this.log.info({ sessionId: this.sessionId, step, err: reason }, "not recorded as a failure: stopping");
      return;
    }
    this.log.warn({ sessionId: this.sessionId, step, err: reason }, "session failed");
    await this.writer.flushed().catch(() => {});
    await failSession(this.deps.db, this.sessionId, step, reason).catch((transitionError: Error) =>
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
    this.state.stopped = true;
    // Let go of a session that goes on elsewhere before the abort below reaches the agent's
    // client, which would end the agent (see the connection's abort handling in openClient).
    if (!destroy) await this.state.connection?.client.detach();
    this.attachAbort.abort();
    await this.attaching?.catch(() => {});
    await this.writer.flushed().catch(() => {});
    const connection = this.state.connection;
    this.state.connection = null;
    // A session that goes on elsewhere (its lease taken over, or handed back at a clean stop) keeps
    // its agent: ending it would cut the turn the next runner re-attaches to.
    if (destroy) await connection?.client.close().catch(() => {});
    else await connection?.client.detach();
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
      await releaseEndedSessionLease(this.deps.db, this.sessionId);
    }
  }

  /** Called on every manager tick: see checkAgentHealth. */
  watchdog(): Promise<void> {
    return checkAgentHealth(this.context);
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
    return this.state.stopped;
  }

  private loadRow(): Promise<SessionRow | null> {
    return loadSessionRow(this.deps.db, this.sessionId);
  }
}
