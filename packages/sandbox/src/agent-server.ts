// Talking to a sandbox-agent server from the studio: its health endpoint sits behind the same
// bearer token as everything else under /v1 (`--token`), so a 200 also proves the token.
import { randomBytes } from "node:crypto";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * A random secret for `--token` / OPENCODE_SERVER_PASSWORD (256 bits). Hex, not base64url: a
 * base64url secret can start with "-", which sandbox-agent's argument parser reads as a flag.
 */
export function newSecret(): string {
  return randomBytes(32).toString("hex");
}

/** The header OpenCode's HTTP API wants when OPENCODE_SERVER_PASSWORD is set (basic auth). */
export const OPENCODE_USERNAME = "opencode";
export function opencodeAuthHeaders(password: string): Record<string, string> {
  const credentials = Buffer.from(`${OPENCODE_USERNAME}:${password}`).toString("base64");
  return { authorization: `Basic ${credentials}` };
}

export async function checkHealth(
  agentUrl: string,
  /** Null: a server started with `--no-token` (reached through a private socket). */
  token: string | null,
  options: { fetch?: FetchLike; timeoutMs?: number } = {},
): Promise<boolean> {
  const doFetch = options.fetch ?? fetch;
  try {
    const response = await doFetch(`${agentUrl}/v1/health`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return false;
    }
    const body = (await response.json()) as { status?: string };
    return body.status === "ok";
  } catch {
    return false;
  }
}

export class AgentServerStartError extends Error {
  override readonly name = "AgentServerStartError";
}

export interface WaitForHealthOptions {
  agentUrl: string;
  token: string | null;
  /** Give up after this long (wall clock). */
  timeoutMs: number;
  fetch?: FetchLike;
  /** Resolves after ms; injectable so tests need no real waiting. */
  sleep?: (ms: number) => Promise<void>;
  /** Returns a reason when the server can no longer come up (its process exited). */
  failure?: () => string | null;
  signal?: AbortSignal;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How long a start is polled closely: a local server answers within ~0.1-0.3 s of starting. */
const CLOSE_POLLING_MS = 2_000;

/**
 * Polls until healthy: every 25 ms at first (each poll waited longer is time added to every
 * session's start; benchmarks/provisioning), then backing off to 1 s.
 */
export async function waitForHealth(options: WaitForHealthOptions): Promise<void> {
  const sleep = options.sleep ?? defaultSleep;
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let delay = 25;
  for (;;) {
    options.signal?.throwIfAborted();
    const reason = options.failure?.();
    if (reason) throw new AgentServerStartError(`sandbox-agent did not start: ${reason}`);
    if (await checkHealth(options.agentUrl, options.token, { fetch: options.fetch })) return;
    if (Date.now() >= deadline) {
      throw new AgentServerStartError(`sandbox-agent not healthy after ${options.timeoutMs} ms`);
    }
    await sleep(delay);
    if (Date.now() - started >= CLOSE_POLLING_MS) delay = Math.min(delay * 2, 1_000);
  }
}
