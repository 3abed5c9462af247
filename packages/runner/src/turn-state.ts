// What a runner keeps of the running turn beside the log (its streamed text, its open tool calls),
// read back from the log when a runner takes a turn over.
import { foldStreamedText, readTurnEvents } from "@studio/core/runner";
import { OpenToolCalls } from "./open-tool-calls.ts";
import type { RunnerContext } from "./runner-state.ts";

/**
 * A turn taken over (a re-attach, the database back after an outage): its streamed text and its
 * open tool calls as the log has them, so its end is told as if one runner had run it.
 */
export async function restoreTurnState(runner: RunnerContext, turnId: string | null) {
  const events = turnId ? await readTurnEvents(runner.deps.db, runner.sessionId, turnId) : [];
  runner.state.streamedText = new Map();
  foldStreamedText(runner.state.streamedText, events);
  runner.state.openToolCalls = new OpenToolCalls();
  runner.state.openToolCalls.track(events);
}
