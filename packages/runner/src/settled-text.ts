// At a turn's end, each message whose streamed text differs from what the agent kept gets an
// `agent_message_settled` event: a model call cut and retried (the gateway gone with a crashed
// replica, a network blip) streams the answer again into the same message, and ACP does not say
// so. See @studio/acp's opencode-sessions.ts.
import { settledMessageText } from "@studio/acp";
import type { StudioEvent } from "@studio/acp/events";
import { opencodeApiOptions } from "./opencode-api.ts";
import type { RunnerContext } from "./runner-state.ts";

/** A turn's end waits at most this long for each message (the agent may be gone). */
const SETTLED_TEXT_TIMEOUT_MS = 5_000;

/** The corrections for the turn that is ending; its streamed text is forgotten. */
export async function settledTextEvents(runner: RunnerContext): Promise<StudioEvent[]> {
  const { state, sessionId } = runner;
  const streamed = state.streamedText;
  state.streamedText = new Map();
  const connection = state.connection;
  // It is OpenCode's HTTP API that says what a message settled as; other agents have none.
  if (connection?.agent !== "opencode" || streamed.size === 0) return [];
  const options = opencodeApiOptions(connection.sandbox, SETTLED_TEXT_TIMEOUT_MS);
  const events: StudioEvent[] = [];
  for (const [messageId, text] of streamed) {
    try {
      const settled = await settledMessageText(options, connection.agentSessionId, messageId);
      if (settled !== text) events.push({ type: "agent_message_settled", messageId, text: settled });
    } catch (error) {
      runner.log.warn(
        { sessionId, messageId, err: (error as Error).message },
        "could not read a message's settled text",
      );
    }
  }
  return events;
}
