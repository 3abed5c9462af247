// Paths inside the session's workspace, shown relative to it. The workspace's absolute path says
// where the sandbox lives (for the local provider, a directory under the studio's data dir on the
// host), which members must not see; `src/app.ts` says all they need. Paths outside the workspace
// are kept exactly as they are: where the agent reached outside is information.
import type { StudioEvent } from "./events.ts";
import { isRecord } from "./tool-content.ts";

/**
 * Characters that continue a file name. Next to the workspace path they make it another name
 * (`/x/workspace-other`, `/x/workspace.bak`, `/mnt/x/workspace`), so nothing is replaced there.
 */
const NAME_CHARS = String.raw`\p{L}\p{N}_.~@+%\-`;

const unchanged = (text: string) => text;

/**
 * A function that rewrites every occurrence of `workspaceDir` standing as a whole path, in any
 * text: `/x/workspace/a.txt` → `a.txt`, `/x/workspace` → `.`, `file:///x/workspace/a.txt` →
 * `a.txt`, `cat /x/workspace/a.txt` → `cat a.txt`. Without an absolute workspace (or with `/`,
 * where everything would be "inside") it changes nothing.
 */
export function workspaceRelativiser(workspaceDir: string | undefined): (text: string) => string {
  // The workspace without its leading slash: OpenCode titles its file tools with the path relative
  // to the project's git worktree, which is `/` when the workspace is not a repository, so a title
  // reads `x/workspace/a.txt`. A relative path inside the workspace spelling out the workspace's
  // own absolute path is not a real risk.
  const root = workspaceDir?.replace(/\/+$/, "").replace(/^\/+/, "");
  if (!root || !workspaceDir?.startsWith("/")) return unchanged;
  let pattern: RegExp | undefined; // built on first use: most texts never mention the workspace
  return (text) => {
    if (!text.includes(root)) return text;
    pattern ??= workspacePattern(root);
    return text.replace(pattern, (match) => (match.endsWith("/") ? "" : "."));
  };
}

function workspacePattern(root: string): RegExp {
  const escaped = root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // Before the path: not a name character or a slash (else it is the tail of a longer path).
  // After it: slashes then a name (dropped with the root), or anything that ends a name (the root
  // itself, shown as `.`; a trailing slash stays: `./`).
  return new RegExp(
    `(?<![${NAME_CHARS}/])(?:file://)?/?${escaped}(?:/+(?=[${NAME_CHARS}])|(?![${NAME_CHARS}]))`,
    "gu",
  );
}

/**
 * Every string in a JSON-like value, rewritten, keys included: Codex keys its patches' changes by
 * absolute path (`rawInput.changes["/x/workspace/a.txt"]`). Only keys holding the workspace's path
 * change; distinct paths stay distinct, so no key takes another's place.
 */
function relativiseDeep(value: unknown, relative: (text: string) => string): unknown {
  if (typeof value === "string") return relative(value);
  if (Array.isArray(value)) return value.map((item) => relativiseDeep(item, relative));
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [relative(key), relativiseDeep(item, relative)]),
    );
  }
  return value;
}

/**
 * The fields of an event that people read: tool titles, inputs, outputs, content (diff paths and
 * texts), locations, question prompts, notices. Ids, kinds and statuses are left alone; the tags
 * inside `content` are walked too, harmlessly (a rewrite needs a text starting with `/`).
 */
const READ_FIELDS = [
  "title",
  "rawInput",
  "rawOutput",
  "content",
  "locations",
  "questions",
  "message",
] as const;

const MESSAGE_TEXT = new Set<StudioEvent["type"]>(["agent_message_chunk", "thought_chunk", "user_message"]);

/**
 * The event with workspace paths made relative. What the person and the agent wrote themselves
 * (messages, thoughts) is theirs and stays as it was.
 */
export function relativiseEvent(event: StudioEvent, relative: (text: string) => string): StudioEvent {
  if (relative === unchanged) return event;
  if (MESSAGE_TEXT.has(event.type)) return event;
  const copy: Record<string, unknown> = { ...event };
  for (const field of READ_FIELDS) {
    if (copy[field] !== undefined) copy[field] = relativiseDeep(copy[field], relative);
  }
  return copy as StudioEvent;
}
