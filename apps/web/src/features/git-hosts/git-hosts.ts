import type { RouterOutputs } from "../../lib/trpc.ts";

export type GitHost = RouterOutputs["gitCredentials"]["list"][number];
export type GitHostTestResult = RouterOutputs["gitCredentials"]["test"];
export type GitHostTestOutcome = GitHostTestResult["outcome"];

/** What the page may show of a stored token: its last four characters behind dots. */
export function maskedToken(host: Pick<GitHost, "lastFour">): string {
  return `••••${host.lastFour}`;
}

/** The headline for each outcome of a test; the server's message gives the detail. */
export const TEST_OUTCOME_TITLES: Record<GitHostTestOutcome, string> = {
  ok: "The credential works.",
  authentication_failed: "Authentication failed.",
  not_found: "Repository not found.",
  unreachable: "Host unreachable.",
  timed_out: "Timed out.",
  failed: "The test failed.",
};

/** A starting point for the repository URL field: the host's own https origin. */
export function repositoryUrlPrefix(host: string): string {
  return `https://${host}/`;
}
