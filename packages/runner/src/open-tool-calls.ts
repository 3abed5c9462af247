// The running turn's tool calls that have not finished, kept as their events are stored. Two agents'
// habits make this necessary: codex-acp asks permission for a command it never announced as a tool
// call (the chat would show a permission with no tool), and after a rejection or a cancel it ends
// the turn without finishing the call (the chat would show it running forever).
import type { StudioEvent, ToolCallStatus } from "@studio/acp/events";

const FINISHED: ReadonlySet<ToolCallStatus> = new Set(["completed", "failed"]);

export class OpenToolCalls {
  /** Every tool call of the turn, with its latest status. */
  #calls = new Map<string, ToolCallStatus>();

  /**
   * The events to store: a `tool_call` goes first for a permission asked about a call the agent
   * never announced, built from what the request says of it.
   */
  track(events: readonly StudioEvent[]): StudioEvent[] {
    const stored: StudioEvent[] = [];
    for (const event of events) {
      if (event.type === "permission_requested" && event.toolCallId && !this.#calls.has(event.toolCallId)) {
        stored.push({
          type: "tool_call",
          toolCallId: event.toolCallId,
          title: event.title,
          kind: event.kind ?? "other",
          status: "pending",
          ...(event.rawInput !== undefined ? { rawInput: event.rawInput } : {}),
          // A patch's diffs belong to the call; the request's text (codex-acp lists its decisions
          // there) is no output of it.
          content: event.content.filter((part) => part.type === "diff"),
          locations: [],
        });
        this.#calls.set(event.toolCallId, "pending");
      }
      if (event.type === "tool_call") this.#calls.set(event.toolCallId, event.status);
      else if (event.type === "tool_call_update" && event.status)
        this.#calls.set(event.toolCallId, event.status);
      stored.push(event);
    }
    return stored;
  }

  /** At the turn's end: a failed update for each call still open (none of them will finish now). */
  closeAll(): StudioEvent[] {
    const updates: StudioEvent[] = [];
    for (const [toolCallId, status] of this.#calls)
      if (!FINISHED.has(status)) updates.push({ type: "tool_call_update", toolCallId, status: "failed" });
    this.#calls.clear();
    return updates;
  }
}
