// The one stand-in in the e2e stack: the scripted OpenAI-compatible model server from testkit, as
// the upstream of the studio's "custom" provider. Tests in worker processes script it over HTTP.
import { expect } from "@playwright/test";

export const modelServerPort = Number(process.env.STUDIO_E2E_MODEL_PORT ?? 3218);
/**
 * E2E_MODEL_URL: a scripted model server the deployment under test reaches (run it standalone with
 * `pnpm --filter @studio/testkit model-server`); unset: the one global setup starts here.
 */
export const remoteModelServer = process.env.E2E_MODEL_URL?.trim().replace(/\/+$/, "") || null;
export const modelServerUrl = remoteModelServer ?? `http://127.0.0.1:${modelServerPort}`;

/** One scripted step, as in testkit's `ScriptStep` (kept structural so workers need no testkit import). */
export type Step =
  | { text: string | string[]; chunkSize?: number }
  | { reasoning: string | string[]; chunkSize?: number }
  | { toolCall: { name: string; arguments: Record<string, unknown>; id?: string } }
  | { delayMs: number }
  | { hang: true };
/** Token counts the reply reports, as in testkit's `ScriptedUsage` (unset fields are computed). */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  cachedTokens?: number;
  reasoningTokens?: number;
}
export type Reply = Step[] | { steps: Step[]; chunkDelayMs?: number; usage?: Usage };

/**
 * Queues replies for the requests whose prompt carries `marker`, so specs running side by side
 * never take each other's replies. OpenCode resends the conversation on each call; the marker of
 * the newest message decides.
 */
export async function script(marker: string, ...replies: Reply[]): Promise<void> {
  const res = await fetch(`${modelServerUrl}/_control/enqueue`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ match: marker, replies }),
  });
  expect(res.status, await res.text()).toBe(200);
}

/** How many replies keyed by `marker` are still waiting. */
export async function scriptedLeft(marker: string): Promise<number> {
  const res = await fetch(`${modelServerUrl}/_control/state`);
  const state = (await res.json()) as { keyed: Record<string, number> };
  return state.keyed[marker] ?? 0;
}

/** One request the scripted server received, as its control endpoint lists it (bodies left out). */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  format: "chat-completions" | "responses" | "anthropic" | "google" | "unknown";
  model: string | undefined;
  isTitle: boolean;
  authorized: boolean;
  aborted: boolean;
}

/**
 * Every request the scripted server has received in this run, from every spec and every shard; with
 * a marker, only those whose body carries it (a test's own, titles included).
 */
export async function receivedRequests(marker?: string): Promise<ReceivedRequest[]> {
  const query = marker === undefined ? "" : `?${new URLSearchParams({ match: marker })}`;
  const res = await fetch(`${modelServerUrl}/_control/requests${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ReceivedRequest[];
}
