// What a session's runner shares with the modules that do its work (attach.ts, turns.ts,
// agent-recovery.ts, command-loop.ts): its dependencies, its event writer, the little mutable state
// that decides what happens next, and the runner operations they call back into.
import type { Db } from "@studio/db";
import type { Logger } from "@studio/models";
import type { SandboxProvider, WorkspaceFile } from "@studio/sandbox";
import type { AgentConnection, ConnectOptions } from "./agent-connection.ts";
import type { AppendQueue } from "./append-queue.ts";
import type { EventWriter } from "./event-writer.ts";
import { OpenToolCalls } from "./open-tool-calls.ts";
import type { SessionRow } from "./session-row.ts";
import type { SourceDeps } from "./workspace-source.ts";

export interface RunnerDeps {
  db: Db;
  /** The replica's append queue: every runner's events go through it. */
  appendQueue: AppendQueue;
  provider: SandboxProvider;
  logger: Logger;
  /** Files and environment for a new or resumed sandbox; the gateway token is minted per provisioning. */
  workspaceFor(
    session: SessionRow,
    gatewayToken: string,
  ): Promise<{ files: WorkspaceFile[]; env: Record<string, string> }>;
  /** Where new workspaces get their repository or upload from. */
  sources: SourceDeps;
}

export interface TurnState {
  id: string;
  /** The prompt command it completes (null after a takeover found none). */
  commandId: bigint | null;
}

export interface RunnerState {
  connection: AgentConnection | null;
  /**
   * Provisioning or re-attaching is over and the session's status says so. Until then prompts wait
   * in the queue: the agent's connection exists a moment before the session is `ready`, and a turn
   * started in between would be refused ("the session is still starting").
   */
  attached: boolean;
  /** The running turn and the prompt command it completes (null after a takeover found none). */
  turn: TurnState | null;
  /**
   * A turn's end is being stored: `turn` is already null, but the row still says `active` until
   * that commits, so the next prompt waits (a turn started in between would find the status changed
   * under it and fail).
   */
  endingTurn: boolean;
  /** The agent's memory was rebuilt: the next prompt carries the conversation (memory-rebuild.ts). */
  rebuildMemory: boolean;
  /** The running turn's unfinished tool calls, closed at its end (open-tool-calls.ts). */
  openToolCalls: OpenToolCalls;
  /**
   * The JSON-RPC id of each prompt this runner sent, by turn: only the response to the turn's own
   * prompt ends it (a late SSE copy of an earlier turn's response must not end the next one).
   */
  promptRequestIds: Map<string, number>;
  /**
   * The running turn's text by message id, as it streamed: checked at the turn's end against what
   * the agent kept (settled-text.ts). A runner taking a turn over reads it back from the log.
   */
  streamedText: Map<string, string>;
  /** When the agent's stream last said anything, or a turn started or was taken over (ms). */
  lastAgentActivityAt: number;
  /** Watchdog checks in a row that found the running turn silent and the agent idle. */
  idleTurnChecks: number;
  /** Called once when the running turn ends (turns.ts waits on it for the stream's copy). */
  turnEndWaiters: Array<() => void>;
  stopped: boolean;
  /** While session/load replays the conversation on the stream; the replay is not stored again. */
  loadingHistory: boolean;
  agentRestarts: number;
  unhealthyChecks: number;
  /** A watchdog check is under way (a slow health check must not overlap the next tick's). */
  watching: boolean;
  /** The innermost provisioning step that failed, named in the session's error. */
  failedStep: string | null;
}

export function initialRunnerState(): RunnerState {
  return {
    connection: null,
    attached: false,
    turn: null,
    endingTurn: false,
    rebuildMemory: false,
    openToolCalls: new OpenToolCalls(),
    promptRequestIds: new Map(),
    streamedText: new Map(),
    lastAgentActivityAt: Date.now(),
    idleTurnChecks: 0,
    turnEndWaiters: [],
    stopped: false,
    loadingHistory: false,
    agentRestarts: 0,
    unhealthyChecks: 0,
    watching: false,
    failedStep: null,
  };
}

/** The runner as its modules see it. */
export interface RunnerContext {
  readonly deps: RunnerDeps;
  readonly sessionId: string;
  readonly log: Logger;
  readonly writer: EventWriter;
  readonly state: RunnerState;
  connectOptions(): ConnectOptions;
  /** Aborted when the runner is torn down: ends a sandbox start or an agent connection under way. */
  readonly attachSignal: AbortSignal;
  /** Passed to startAgentSession: replayed history is skipped until session/load's response. */
  startLoadingHistory(loading: boolean): void;
  /** Back to the command loop (command-loop.ts): claims and runs what is pending, the next prompt included. */
  drainCommands(): Promise<void>;
  /** Answers every waiting request as cancelled, in the log and to the agent (command-loop.ts). */
  cancelInteractions(): Promise<void>;
  /** Puts the session in `error` (with the failed step, if any) and ends the runner. */
  fail(step: string | null, error: unknown): Promise<void>;
  /** Work started without awaiting: a failure is logged, never an unhandled rejection. */
  background(work: Promise<unknown>): void;
}
