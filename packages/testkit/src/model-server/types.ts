/** The provider wire formats the scripted model server speaks. */
export type WireFormat = "chat-completions" | "responses" | "anthropic" | "google";

/**
 * Token counts in one neutral shape. `inputTokens` counts the whole prompt, cached part included;
 * `outputTokens` counts the whole output, reasoning included. Each wire format reports them its
 * own way (Anthropic: input minus cache reads; Google: candidates = output minus thoughts).
 */
export interface ScriptedUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens?: number;
  reasoningTokens?: number;
}

export interface ScriptedToolCall {
  name: string;
  /** An object is serialised as JSON; a string is sent verbatim (e.g. to test malformed JSON). */
  arguments: Record<string, unknown> | string;
  /** Defaults to a generated id in the format's style. */
  id?: string;
  /** Exact chunking of the serialised arguments, where the format streams them. */
  argumentChunks?: string[];
}

/** Text is sent as given when it is an array, else split into chunks of `chunkSize` (default 12). */
export type ScriptStep =
  | { text: string | string[]; chunkSize?: number }
  | { chunks: string[] }
  | { reasoning: string | string[]; chunkSize?: number }
  | { toolCall: ScriptedToolCall | ScriptedToolCall[] }
  | { delayMs: number }
  /**
   * Holds the reply until the server has received a title request, for at most this long. OpenCode
   * asks for a title alongside the first turn without waiting for it, and `opencode run` exits once
   * the turn is over: a fast turn can end before the title request is sent.
   */
  | { awaitTitleMs: number }
  /** Keeps the response open without data until the client disconnects (or the server closes). */
  | { hang: true }
  /**
   * An upstream error. Before any output it is an HTTP error with `status` and `body` (default: the
   * format's usual error JSON); once the stream has started it becomes the format's in-stream error
   * event and the stream ends.
   */
  | { error: { status: number; body?: unknown; message?: string } };

export type FinishReason = "stop" | "tool_calls" | "length";

export interface ScriptedReplyObject {
  steps: ScriptStep[];
  /** Fields given here override the computed defaults one by one. */
  usage?: Partial<ScriptedUsage>;
  /** Default: `tool_calls` when the reply contains a tool call, else `stop`. */
  finishReason?: FinishReason;
  /** Pause between streamed chunks. */
  chunkDelayMs?: number;
}

/** A bare array of steps is shorthand for `{ steps }`. */
export type ScriptedReply = ScriptStep[] | ScriptedReplyObject;

export interface RecordedRequest {
  method: string;
  /** Path without the query string, exactly as received (including any gateway prefix). */
  path: string;
  query: Record<string, string>;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when the body was not JSON. */
  body: unknown;
  rawBody: string;
  format: WireFormat | "unknown";
  model: string | undefined;
  stream: boolean;
  isTitle: boolean;
  /** False when `expectedKey` was set and the request carried another key (it got a 401). */
  authorized: boolean;
  /** Set when the client went away before the reply was complete. */
  aborted: boolean;
}

/**
 * What `GET …/models` answers: these ids in the provider's own list format (OpenAI's
 * `{ data: [{ id }] }`, Anthropic's, Google's), or exactly this answer (to play a broken server), or
 * nothing until the client gives up.
 */
export type ModelsListing =
  | readonly string[]
  | { status: number; body: string; contentType?: string }
  | { hang: true };

export interface ScriptedModelServerOptions {
  port?: number;
  /** The interface to listen on (default 127.0.0.1; 0.0.0.0 to serve a studio on another machine). */
  host?: string;
  /** What `GET …/models` answers (default: `["scripted-1"]`). Can be changed later on the server. */
  models?: ModelsListing;
  /** Answer for main requests when the queue is empty (default: a short text reply). */
  defaultReply?: ScriptedReply;
  /**
   * When set, requests carrying none of these keys get the format's 401. Can be changed later on
   * the server (or through the control endpoint).
   */
  expectedKey?: string | readonly string[];
  /** Text answered to title-generation requests (default "Scripted Title"). */
  title?: string;
  /**
   * Delta field carrying reasoning in chat completions. OpenCode's openai-compatible provider reads
   * `reasoning_content ?? reasoning`, its OpenRouter provider only `reasoning`, so `reasoning`
   * (the default) surfaces as thinking in both.
   */
  chatReasoningField?: "reasoning" | "reasoning_content";
  /**
   * Serve `/_control/*` so tests in other processes can queue replies (optionally keyed by a marker
   * in the prompt), read the recorded requests and reset (see control.ts).
   */
  control?: boolean;
  /**
   * Picks the reply from the request itself, before the queue is looked at (undefined: the queue).
   * A deterministic model: a call an agent repeats (after a cut) gets the same answer again.
   */
  replyFor?: (request: RecordedRequest) => ScriptedReply | undefined;
}

export interface ScriptedModelServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Queue replies for main (non-title) requests, consumed in order. */
  enqueue(...replies: ScriptedReply[]): void;
  /** Replies still queued. */
  readonly queued: number;
  /** Model calls whose response has not ended yet (finished, or cut by the client). */
  readonly answering: number;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** Resolves when n main (non-title) requests have arrived. */
  waitForRequests(n: number): Promise<void>;
  /** Key (or keys) that requests must carry, or undefined to accept any. */
  expectedKey: string | readonly string[] | undefined;
  /** What `GET …/models` answers from now on. */
  models: ModelsListing;
  close(): Promise<void>;
}
