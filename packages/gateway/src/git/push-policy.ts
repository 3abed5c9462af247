// Which ref updates a session may push. Sessions work on their own branches, under a prefix each
// organisation chooses (`studio/` unless it says otherwise), so an agent cannot move the branches
// people work on, publish tags, or delete anything. A push is all or nothing: if any ref in it is
// refused, none is forwarded, so the remote never ends up with half of what the agent meant.
import type { PushCommand } from "./receive-pack.ts";

export const DEFAULT_BRANCH_PREFIX = "studio/";

export interface PushPolicy {
  /** Branches the session may create and update: `refs/heads/<branchPrefix>…`. Ends with `/`. */
  branchPrefix: string;
}

export type RefusalKind = "invalid-ref" | "deletion" | "tag" | "outside-prefix" | "other-ref-refused";

export type RefVerdict =
  | { ref: string; allowed: true }
  | { ref: string; allowed: false; kind: RefusalKind; reason: string };

export type PushDecision =
  | { allowed: true; refs: RefVerdict[] }
  /** `refs` has a verdict for every command, in order; each is refused, for git to report them all. */
  | { allowed: false; refs: Array<Extract<RefVerdict, { allowed: false }>>; message: string };

const ZERO_OID = /^0+$/;

export function checkPush(commands: readonly PushCommand[], policy: PushPolicy): PushDecision {
  assertPrefix(policy.branchPrefix);
  const verdicts = commands.map((command) => checkCommand(command, policy.branchPrefix));
  if (verdicts.every((verdict) => verdict.allowed)) return { allowed: true, refs: verdicts };
  const refs = verdicts.map((verdict) =>
    verdict.allowed
      ? {
          ref: verdict.ref,
          allowed: false as const,
          kind: "other-ref-refused" as const,
          reason: "not pushed: another ref in this push was refused",
        }
      : verdict,
  );
  const message = `The studio only lets sessions push branches under ${policy.branchPrefix} (refs/heads/${policy.branchPrefix}…); tags and deletions are not allowed. Nothing was pushed.`;
  return { allowed: false, refs, message };
}

function checkCommand({ newOid, ref }: PushCommand, prefix: string): RefVerdict {
  const refuse = (kind: RefusalKind, reason: string): RefVerdict => ({ ref, allowed: false, kind, reason });
  const invalid = refNameProblem(ref);
  if (invalid) return refuse("invalid-ref", `invalid ref name (${invalid})`);
  if (ZERO_OID.test(newOid)) return refuse("deletion", "deleting refs is not allowed from the studio");
  if (ref.startsWith("refs/tags/")) return refuse("tag", "pushing tags is not allowed from the studio");
  if (!ref.startsWith(`refs/heads/${prefix}`))
    return refuse("outside-prefix", `only branches under ${prefix} may be pushed from the studio`);
  return { ref, allowed: true };
}

/** The prefix comes from an organisation's settings: a bad one is a bug there, not a refusal. */
function assertPrefix(prefix: string) {
  if (!prefix.endsWith("/") || refNameProblem(`refs/heads/${prefix}x`) !== null)
    throw new Error(`Invalid branch prefix ${JSON.stringify(prefix)}: it must be a ref path ending in "/".`);
}

/**
 * Why git itself would reject `name` as a full ref name (git-check-ref-format(1) rules 1–10,
 * without --allow-onelevel, --refspec-pattern or --normalize), or null when it is fine.
 */
export function refNameProblem(name: string): string | null {
  if (name === "@") return "is @";
  // Rule 4: control characters (below \040, and DEL), space, ~, ^, :. Rule 5: ?, *, [. Rule 10: \.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return "forbidden character";
  if (name.includes("..")) return "contains ..";
  if (name.includes("@{")) return "contains @{";
  if (name.startsWith("/") || name.endsWith("/") || name.includes("//")) return "empty path component";
  if (name.endsWith(".")) return "ends with .";
  if (!name.includes("/")) return "has no /";
  for (const component of name.split("/")) {
    if (component.startsWith(".")) return "a component begins with .";
    if (component.endsWith(".lock")) return "a component ends with .lock";
  }
  return null;
}
