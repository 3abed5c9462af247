// An agent that cannot reload its own conversation (no ACP `session/load`, e.g. codex-acp) starts a
// new agent session on resume knowing nothing. The studio's event log has the whole conversation:
// the first prompt after such a resume carries it, rebuilt here as plain text, and the chat says
// plainly that the agent's memory was rebuilt (the `memory_rebuilt` notice).
import type { StudioEvent } from "@studio/acp/events";
import type { DbTx } from "@studio/db";

/** The newest part of the conversation is kept when it is longer than this (characters). */
export const REBUILT_CONVERSATION_MAX_CHARS = 60_000;

const REBUILD_EVENT_TYPES = [
  "user_message",
  "agent_message_chunk",
  "agent_message_settled",
  "tool_call",
  "tool_call_update",
] as const;

type Entry =
  | { kind: "person"; text: string }
  | { kind: "agent"; messageId: string | null; text: string }
  | { kind: "tool"; toolCallId: string; title: string; status: string };

/** The conversation's entries in order: each agent message and tool call once, at its latest. */
function entriesOf(events: readonly StudioEvent[]): Entry[] {
  const entries: Entry[] = [];
  const messages = new Map<string, Extract<Entry, { kind: "agent" }>>();
  const tools = new Map<string, Extract<Entry, { kind: "tool" }>>();
  for (const event of events) {
    switch (event.type) {
      case "user_message":
        entries.push({ kind: "person", text: event.text });
        break;
      case "agent_message_chunk": {
        const last = entries.at(-1);
        const known = event.messageId === null ? undefined : messages.get(event.messageId);
        if (known) known.text += event.text;
        else if (event.messageId === null && last?.kind === "agent" && last.messageId === null)
          last.text += event.text;
        else {
          const entry = { kind: "agent" as const, messageId: event.messageId, text: event.text };
          entries.push(entry);
          if (event.messageId !== null) messages.set(event.messageId, entry);
        }
        break;
      }
      case "agent_message_settled": {
        const known = messages.get(event.messageId);
        if (known) known.text = event.text;
        break;
      }
      case "tool_call": {
        const { toolCallId, title, status } = event;
        const entry = { kind: "tool" as const, toolCallId, title, status };
        tools.set(event.toolCallId, entry);
        entries.push(entry);
        break;
      }
      case "tool_call_update": {
        const known = tools.get(event.toolCallId);
        if (!known) break;
        if (event.title) known.title = event.title;
        if (event.status) known.status = event.status;
        break;
      }
    }
  }
  return entries;
}

function line(entry: Entry): string {
  switch (entry.kind) {
    case "person":
      return `Person: ${entry.text}`;
    case "agent":
      return `You: ${entry.text}`;
    case "tool":
      return `(You used a tool: ${entry.title} — ${entry.status})`;
  }
}

/**
 * The text that goes before the first prompt after a rebuild, or null when there was no
 * conversation yet. Past the size limit the oldest lines are left out, and it says so.
 */
export function rebuiltConversationPrompt(events: readonly StudioEvent[]): string | null {
  const lines = entriesOf(events)
    .filter((entry) => entry.kind !== "agent" || entry.text.trim() !== "")
    .map(line);
  if (lines.length === 0) return null;
  const kept: string[] = [];
  let size = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    size += lines[i]!.length + 2;
    if (size > REBUILT_CONVERSATION_MAX_CHARS) break;
    kept.unshift(lines[i]!);
  }
  const cut = kept.length < lines.length ? "(Earlier parts of the conversation are left out.)\n\n" : "";
  return [
    "This session was stopped and resumed, and your memory of it could not be restored. Here is the",
    "conversation so far, as the studio recorded it; the files in the workspace are as you left them.",
    "Carry on from it; the person's new message follows.",
    "",
    "<conversation>",
    `${cut}${kept.join("\n\n")}`,
    "</conversation>",
  ].join("\n");
}

/**
 * The session's conversation from its event log, rebuilt for a new agent session; the prompt
 * being sent (`promptMessageId`) is left out, since it follows.
 */
export async function readRebuiltConversation(
  db: DbTx,
  sessionId: string,
  promptMessageId: string,
): Promise<string | null> {
  const rows = await db.sessionEvent.findMany({
    where: { sessionId, type: { in: [...REBUILD_EVENT_TYPES] } },
    orderBy: { seq: "asc" },
    select: { payload: true },
  });
  const events = rows
    .map((row) => row.payload as StudioEvent)
    .filter((event) => event.type !== "user_message" || event.messageId !== promptMessageId);
  return rebuiltConversationPrompt(events);
}
