// Loads the recorded wire transcripts (copied from shared/notes/acp-transcripts). Each row is one
// thing seen on the wire: `POST→` (sent), `←POST` (POST reply), `SSE` (stream message), ...
import { readFileSync } from "node:fs";

export interface TranscriptRow {
  t: number;
  dir: string;
  sseId?: string;
  status?: number;
  json: unknown;
}

export type TranscriptName =
  | "acp-transcript.jsonl"
  | "acp-edge-transcript.jsonl"
  | "claude-agent-acp-transcript.jsonl"
  | "opencode-question-flow.sample.json";

export const transcriptNames: TranscriptName[] = [
  "acp-transcript.jsonl",
  "acp-edge-transcript.jsonl",
  "claude-agent-acp-transcript.jsonl",
  "opencode-question-flow.sample.json",
];

export function loadTranscript(name: TranscriptName): TranscriptRow[] {
  const text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
  if (name.endsWith(".json")) return JSON.parse(text) as TranscriptRow[];
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as TranscriptRow);
}

/** The messages the agent side sent on the SSE stream, in order. */
export function sseMessages(name: TranscriptName): { sseId: string; message: unknown }[] {
  return loadTranscript(name)
    .filter((row) => row.dir === "SSE")
    .map((row) => ({ sseId: row.sseId ?? "", message: row.json }));
}
