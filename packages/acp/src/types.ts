// The ACP shapes the client sends and returns. Deliberately loose where the agent owns the shape
// (capabilities, config options): the studio passes them through rather than depending on them.

import type { Logger } from "@studio/models";
import type { KnownAgent } from "@studio/models/lists";
import type {
  JsonRpcErrorObject,
  JsonRpcId,
  JsonRpcNotification,
  JsonRpcRequest,
  JsonRpcResponse,
} from "./jsonrpc.ts";

export interface AcpClientOptions {
  /** sandbox-agent's base URL, e.g. http://127.0.0.1:2468 */
  baseUrl: string;
  /** Bearer token; null for a server started with `--no-token` (behind a private socket). */
  token: string | null;
  /** Client-chosen ACP server id: one agent process per id. */
  serverId: string;
  /** Which agent sandbox-agent starts; defaults to DEFAULT_AGENT. */
  agent?: KnownAgent;
  fetch?: typeof fetch;
  logger?: Logger;
  /** Resume the stream after this SSE id (re-attaching without replay); default: full replay. */
  lastEventId?: number | string | null;
  /** For every request but prompts (initialize alone can take 20 s on a loaded machine). */
  requestTimeoutMs?: number;
  /** A turn can run for many minutes: far above any turn. */
  promptTimeoutMs?: number;
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number; idleTimeoutMs?: number };
  /** How long close() lets `DELETE` run before aborting it (it never returns in 0.4.2). */
  closeTimeoutMs?: number;
  clientInfo?: { name: string; version: string };
  /** First JSON-RPC id; random by default so two clients of one server never share ids. */
  firstRequestId?: number;
}

export interface RequestOptions {
  timeoutMs?: number;
  /** Stops waiting (rejects with the abort reason). It does not stop the agent: send cancel(). */
  signal?: AbortSignal;
  /**
   * Told the request's JSON-RPC id before it is sent: the SSE copy of its response, read again
   * after a rewind or a restart, is recognised by it.
   */
  onId?: (id: number) => void;
}

/** What a prompt is made of (ACP ContentBlock); opencode accepts text, images and resources. */
export type AcpContentBlock =
  | { type: "text"; text: string }
  | { type: "image"; data: string; mimeType: string; uri?: string }
  | { type: "resource_link"; uri: string; name: string; mimeType?: string }
  | { type: "resource"; resource: { uri: string; text?: string; blob?: string; mimeType?: string } };

export interface InitializeResult {
  protocolVersion: number;
  agentCapabilities?: Record<string, unknown>;
  agentInfo?: { name: string; version?: string; title?: string };
  authMethods?: unknown[];
  [key: string]: unknown;
}

export interface NewSessionResult {
  sessionId: string;
  configOptions?: unknown[];
  modes?: unknown;
  models?: unknown;
  [key: string]: unknown;
}

export type LoadSessionResult = Record<string, unknown> | null;

export interface PromptUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  thoughtTokens?: number;
  cachedReadTokens?: number;
  cachedWriteTokens?: number;
}

export interface PromptResult {
  stopReason: string;
  usage?: PromptUsage;
  [key: string]: unknown;
}

export type PermissionOutcome = { outcome: "selected"; optionId: string } | { outcome: "cancelled" };

/**
 * One message from the SSE stream, in stream order, with the SSE event id (sandbox-agent's seq)
 * it arrived under. `message` is the raw JSON-RPC payload: append it to the log, then hand it to
 * `normaliseAgentMessage`.
 */
export type AcpInbound =
  | { type: "notification"; eventId: string; method: string; params: unknown; message: JsonRpcNotification }
  /** An agent→client request (e.g. `session/request_permission`); answer it with its `id`. */
  | {
      type: "request";
      eventId: string;
      id: JsonRpcId;
      method: string;
      params: unknown;
      message: JsonRpcRequest;
    }
  /**
   * The SSE copy of a response. `method` is the method this client sent under that id, or null
   * when the request came from another client of the same server (a replica that re-attached).
   * The matching request promise has already settled (or settles now) when this is delivered.
   */
  | {
      type: "response";
      eventId: string;
      id: JsonRpcId | null;
      method: string | null;
      result?: unknown;
      error?: JsonRpcErrorObject;
      message: JsonRpcResponse;
    }
  /**
   * The agent process is gone; every pending request was rejected. Delivered once per client:
   * sandbox-agent's `_adapter/agent_exited`, or, when a POST found the agent dead first, one made
   * up from it (its `eventId` is then the last SSE id delivered, so a stored cursor does not move).
   */
  | {
      type: "agent_exited";
      eventId: string;
      exitCode: number | null;
      success: boolean;
      message: JsonRpcNotification;
    };
