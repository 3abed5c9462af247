// Test support for turns with tool calls, whatever the agent: a tool call's statuses as its events
// said them, and a permission request answered with the option of a given kind.
import type { StudioClient } from "@studio/client";
import type { ReceivedEvent } from "./session-events.ts";

type PermissionRequest = Extract<ReceivedEvent, { type: "permission_requested" }>;
type OptionKind = PermissionRequest["options"][number]["kind"];

/** Every event about one tool call, in order. */
export function toolEvents(events: ReceivedEvent[], toolCallId: string | null): ReceivedEvent[] {
  return events.filter(
    (e) => (e.type === "tool_call" || e.type === "tool_call_update") && e.toolCallId === toolCallId,
  );
}

/** The statuses one tool call went through, as its events said them. */
export function toolStatuses(events: ReceivedEvent[], toolCallId: string | null): string[] {
  return toolEvents(events, toolCallId).flatMap((e) => ("status" in e && e.status ? [e.status] : []));
}

/** Answers the request with its option of `kind` (it must offer one). */
export async function answerPermission(
  client: StudioClient,
  sessionId: string,
  asked: PermissionRequest,
  kind: OptionKind,
): Promise<void> {
  const option = asked.options.find((candidate) => candidate.kind === kind);
  if (!option) throw new Error(`the request offers no ${kind} option`);
  await client.sessions.respondToPermission.mutate({
    sessionId,
    interactionId: asked.interactionId,
    optionId: option.optionId,
  });
}
