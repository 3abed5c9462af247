import { GIT_HOST_KINDS, type GitHostKind } from "@studio/models/lists";
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

/** What each host software is called, for the "Host software" choice (pull-request links). */
export const HOST_KIND_LABELS: Record<GitHostKind, string> = {
  github: "GitHub (Enterprise Server)",
  gitlab: "GitLab",
  bitbucket: "Bitbucket",
  gitea: "Gitea or Forgejo",
};

export const HOST_KIND_OPTIONS = GIT_HOST_KINDS.map((kind) => ({
  value: kind,
  label: HOST_KIND_LABELS[kind],
}));

/** The form's value ("" for "known by name / not set") as the procedure takes it. */
export function hostKindFromForm(value: FormDataEntryValue | null): GitHostKind | null {
  return (GIT_HOST_KINDS as readonly string[]).includes(String(value)) ? (value as GitHostKind) : null;
}
