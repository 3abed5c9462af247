/**
 * A call to sandbox-agent's HTTP API failed. `message` is safe to show to a person: sandbox-agent's
 * own detail names absolute paths, which for a local sandbox are paths on the studio's host, so
 * every absolute path in it is replaced by `<path>`. The unredacted detail is never kept.
 */
export class WorkspaceApiError extends Error {
  override readonly name = "WorkspaceApiError";
  constructor(
    /** The HTTP status (0 when the server could not be reached at all). */
    readonly status: number,
    message: string,
    /** sandbox-agent's problem type, e.g. `urn:sandbox-agent:error:invalid_request`, when given. */
    readonly problemType: string | null = null,
  ) {
    super(message);
  }
}

/**
 * Replaces absolute paths with `<path>`: a quoted one up to its closing quote, an unquoted one up
 * to the end of its line (paths may hold spaces, and sandbox-agent puts them last; hiding a little
 * more than the path is the safe side).
 */
export function redactPaths(text: string): string {
  return text.replace(/(['"])\/[^'"\n]*\1/g, "$1<path>$1").replace(/(^|[\s(=:])\/(?!>)[^\n]*/gm, "$1<path>");
}

/** Builds the error for a non-2xx answer from its problem+json body (or plain text). */
export async function errorFromResponse(response: Response, what: string): Promise<WorkspaceApiError> {
  let text = "";
  try {
    text = await response.text();
  } catch {}
  let detail = text.slice(0, 500);
  let problemType: string | null = null;
  try {
    const problem = JSON.parse(text) as { type?: unknown; detail?: unknown; title?: unknown };
    if (typeof problem.type === "string") problemType = problem.type;
    if (typeof problem.detail === "string") detail = problem.detail;
    else if (typeof problem.title === "string") detail = problem.title;
  } catch {}
  const reason = redactPaths(detail.trim()) || `HTTP ${response.status}`;
  return new WorkspaceApiError(response.status, `${what} failed: ${reason}`, problemType);
}
