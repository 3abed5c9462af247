// A session's command loop, top to bottom. Requests reach the runner as rows in session_commands
// (written by any replica, announced by NOTIFY); this is everything that happens to them here.
//
//   drain()   on the runner's start (once attached), a NOTIFY, every manager tick, a turn's end,
//     │       an agent restarted (agent-recovery.ts), the database back after an outage
//     ├─ claimCommands: control commands always; a prompt only once attached and while no turn runs
//     └─ execute(command), in order
//          prompt ─────────▶ startTurn (turns.ts): turn_started, session/prompt over ACP; returns at once
//                             the turn ends with the prompt's response (returned to startTurn, or read
//                             off the stream by session-runner.ts), a failed prompt, a restarted agent
//                             (attach.ts, agent-recovery.ts) ─▶ endTurn (turns.ts): turn_ended and the
//                             prompt command completed in one transaction ─▶ drain() again
//          cancel ─────────▶ session/cancel to the agent; waiting requests answered as cancelled
//          permission_reply ▶ the agent's own JSON-RPC request answered (interaction-bridge.ts)
//          question_reply ─▶ OpenCode's question API (interaction-bridge.ts)
//          stop ───────────▶ completed, then the runner ends and frees the sandbox
//          resume ─────────▶ nothing: claiming the session's lease started this runner
//     Every command but a prompt is completed here (done, or failed with the reason); a prompt is
//     completed by its turn's end.
import {
  cancelPendingInteractions,
  claimCommands,
  completeCommand,
  type QueuedCommand,
} from "@studio/core/runner";
import { cancelledInteractionEvents, replyPermission, replyQuestion } from "./interaction-bridge.ts";
import type { RunnerContext } from "./runner-state.ts";
import { startTurn } from "./turns.ts";

export class CommandLoop {
  private draining = false;
  private drainAgain = false;

  constructor(
    private readonly runner: RunnerContext,
    /** Ends the runner and frees the sandbox (a `stop` command). */
    private readonly stop: () => Promise<void>,
  ) {}

  /** Runs pending commands; one drain at a time, and once more when asked again meanwhile. */
  async drain(): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    const { deps, sessionId, state } = this.runner;
    this.draining = true;
    try {
      do {
        this.drainAgain = false;
        if (state.stopped || !state.connection) return;
        const commands = await claimCommands(deps.db, sessionId, {
          prompt: state.turn === null && !state.endingTurn && state.attached,
        });
        for (const command of commands) await this.execute(command);
      } while (this.drainAgain);
    } finally {
      this.draining = false;
    }
  }

  private async execute(queued: QueuedCommand) {
    const { deps, sessionId, state, log } = this.runner;
    const { command } = queued;
    try {
      switch (command.kind) {
        case "prompt":
          startTurn(this.runner, queued.id, command.messageId, command.text);
          return; // completed when the turn ends
        case "cancel":
          if (state.connection) await state.connection.client.cancel(state.connection.agentSessionId);
          await this.cancelInteractions();
          break;
        case "permission_reply":
          if (state.connection)
            await replyPermission(deps.db, state.connection.client, command.interactionId, command.optionId);
          break;
        case "question_reply":
          if (state.connection)
            await replyQuestion(deps.db, state.connection.sandbox, command.interactionId, command.answers);
          break;
        case "stop":
          await completeCommand(deps.db, queued.id);
          await this.stop();
          return;
        case "resume":
          break;
      }
      await completeCommand(deps.db, queued.id);
    } catch (error) {
      log.warn({ sessionId, command: command.kind, err: (error as Error).message }, "command failed");
      await completeCommand(deps.db, queued.id, (error as Error).message);
    }
  }

  /** Answers every waiting request as cancelled, in the log and to the agent. */
  async cancelInteractions() {
    const { deps, sessionId, writer } = this.runner;
    const cancelled = await cancelPendingInteractions(deps.db, sessionId);
    writer.push(cancelledInteractionEvents(cancelled));
  }
}
