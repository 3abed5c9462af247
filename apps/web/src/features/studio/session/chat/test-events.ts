// Test support: recorded ACP transcripts normalised into studio events exactly as the runner does,
// numbered like the durable log numbers them.
import { readFileSync } from "node:fs";
import { normaliseAgentMessage, type StudioEvent } from "@studio/acp";
import type { ChatItem, LiveEvent } from "./chat-types.ts";

export type Transcript =
  | "acp-transcript.jsonl"
  | "claude-agent-acp-transcript.jsonl"
  | "opencode-question-flow.sample.json";

interface Row {
  dir: string;
  sseId?: string;
  json: unknown;
}

function rows(name: Transcript): Row[] {
  const text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
  if (name.endsWith(".json")) return JSON.parse(text) as Row[];
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Row);
}

/** The studio events the agent's side of a transcript produces, in order. */
export function transcriptEvents(name: Transcript): StudioEvent[] {
  const ids = new Map<string, string>();
  const context = {
    interactionIdFor(key: string) {
      if (!ids.has(key)) ids.set(key, `int-${ids.size + 1}`);
      return ids.get(key) as string;
    },
  };
  return rows(name)
    .filter((row) => row.dir === "SSE")
    .flatMap((row) => normaliseAgentMessage(row.json, { ...context, eventId: row.sseId ?? "" }));
}

/** The recordings of Claude Code and Codex turns the ACP normaliser's own tests use. */
export type AgentRecording = "claude-turn.json" | "codex-turn.json" | "codex-ask-turn.json";

/**
 * The studio events of a recorded Claude Code or Codex turn (a list of the agent's messages, kept
 * with the normaliser in packages/acp), normalised as the runner does for a `/sandbox/ws` workspace.
 */
export function recordingEvents(name: AgentRecording): StudioEvent[] {
  const url = new URL(`../../../../../../../packages/acp/src/fixtures/${name}`, import.meta.url);
  const messages = JSON.parse(readFileSync(url, "utf8")) as unknown[];
  return messages.flatMap((message, index) =>
    normaliseAgentMessage(message, {
      interactionIdFor: (key) => `int:${key}`,
      workspaceDir: "/sandbox/ws",
      eventId: String(index),
    }),
  );
}

/** Numbers events from `firstSeq`, one second apart, as the event log would store them. */
export function numbered(events: readonly StudioEvent[], firstSeq = 1): LiveEvent[] {
  return events.map((event, i) => ({
    ...event,
    seq: firstSeq + i,
    at: new Date(Date.UTC(2026, 10, 22, 12, 0, firstSeq + i)),
  }));
}

/** A turn as the runner frames it: the prompt, turn_started, the agent's events, turn_ended. */
export function turn(
  prompt: string,
  agent: readonly StudioEvent[],
  stopReason: "end_turn" | "cancelled" = "end_turn",
): StudioEvent[] {
  const messageId = `m-${prompt}`;
  return [
    { type: "user_message", messageId, text: prompt, authorId: "u1" },
    { type: "turn_started", turnId: `t-${prompt}`, promptMessageId: messageId },
    ...agent,
    { type: "turn_ended", turnId: `t-${prompt}`, stopReason, inputTokens: 10, outputTokens: 5 },
  ];
}

export const kinds = (items: ChatItem[]) => items.map((item) => item.kind);

/** The text of an assistant or thinking block. */
export const textOf = (item: ChatItem | undefined) =>
  item && (item.kind === "assistant" || item.kind === "thinking") ? item.text : undefined;
