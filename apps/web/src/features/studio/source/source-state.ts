/** What `sessions.create` takes as `source` (packages/core's `sessionSourceInput`). */
export type SessionSource =
  | { kind: "empty" }
  | { kind: "git"; url: string; ref?: string; fullHistory?: boolean }
  | { kind: "upload"; uploadId: string };

export type SourceKind = SessionSource["kind"];

/**
 * What the picker tells the form: the source to send, or why the session cannot start yet. `busy`
 * (an upload running, refs being listed) makes Start wait rather than refuse.
 */
export interface SourceChoice {
  source: SessionSource | null;
  problem: string | null;
  busy: boolean;
}

export const EMPTY_CHOICE: SourceChoice = { source: { kind: "empty" }, problem: null, busy: false };

/**
 * Whether a refusal to list a repository is one a git credential fixes: the server's sentence then
 * points at Settings → Git hosts, which the picker turns into a link.
 */
export function credentialMayHelp(message: string): boolean {
  return /Git hosts|credential/i.test(message);
}
