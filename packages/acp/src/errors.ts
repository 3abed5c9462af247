// Typed failures of the ACP-over-HTTP client. The session runner branches on these classes:
// an AgentExitedError means "the agent process is gone, restart or reload", an AcpHttpError
// carries sandbox-agent's problem+json code, an AcpRpcError is the agent refusing a request.

/** sandbox-agent answered with `application/problem+json` (or another non-2xx status). */
export class AcpHttpError extends Error {
  override readonly name = "AcpHttpError";
  /** The last segment of the problem `type` URN, e.g. `session_not_found`, `agent_not_installed`. */
  readonly code: string;
  constructor(
    readonly status: number,
    readonly type: string | null,
    readonly detail: string | null,
    readonly body: unknown,
  ) {
    const code = type ? (type.split(":").pop() ?? type) : `http_${status}`;
    super(`sandbox-agent answered ${status} ${code}${detail ? `: ${detail}` : ""}`);
    this.code = code;
  }
}

/** A JSON-RPC error response from the agent. */
export class AcpRpcError extends Error {
  override readonly name = "AcpRpcError";
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** The agent process exited: `_adapter/agent_exited` on SSE, or a POST that hit a dead stdin. */
export class AgentExitedError extends Error {
  override readonly name = "AgentExitedError";
  constructor(
    message: string,
    readonly exitCode: number | null = null,
  ) {
    super(message);
  }
}

/** The client gave up waiting for a response (its own request timeout, not the server's). */
export class AcpTimeoutError extends Error {
  override readonly name = "AcpTimeoutError";
}

/** The client was closed while the request was pending. */
export class AcpClosedError extends Error {
  override readonly name = "AcpClosedError";
}

/**
 * Turns a non-2xx response body into the right error. sandbox-agent 0.4.2 reports a dead agent
 * two ways: `502 stream_error` whose detail mentions a broken pipe (stdin of an exited process)
 * and `500 agent_process_exited` (a request that was in flight when it died).
 */
export function errorFromProblem(status: number, body: unknown): Error {
  const problem = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const type = typeof problem.type === "string" ? problem.type : null;
  const detail = typeof problem.detail === "string" ? problem.detail : typeof body === "string" ? body : null;
  const http = new AcpHttpError(status, type, detail, body);
  if (http.code === "agent_process_exited" || (status === 502 && /broken pipe/i.test(detail ?? ""))) {
    return new AgentExitedError(`agent process exited (${http.message})`);
  }
  return http;
}
