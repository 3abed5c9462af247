// "Open a pull request" after the studio pushes a session's branch: a link to the host's own page for
// a new pull (or merge) request, so no host API, token scope or webhook is needed. The URL formats
// are the hosts' documented ones (notes: "Pull-request links without a host API").
import { GIT_HOST_KINDS, type GitHostKind } from "@studio/models";
import { AppError } from "../shared/errors.ts";
import { hostOfUrl } from "./host.ts";
import { repositoryUrlProblem } from "./remote-url.ts";

/** The kinds of host a link can be built for (the value list lives in @studio/models). */
export const PULL_REQUEST_HOST_KINDS = GIT_HOST_KINDS;
export type PullRequestHostKind = GitHostKind;

/** Public hosts whose kind is certain. Any other host is self-hosted and needs its kind named. */
const KNOWN_HOSTS: Readonly<Record<string, PullRequestHostKind>> = {
  "github.com": "github",
  "gitlab.com": "gitlab",
  "bitbucket.org": "bitbucket",
  // Codeberg runs Forgejo, which kept Gitea's URLs.
  "codeberg.org": "gitea",
};

export interface PullRequestLinkInput {
  /** The repository's http(s) URL as the session was started from, e.g. https://github.com/acme/widgets.git. */
  remoteUrl: string;
  /** The branch the request would merge into, e.g. `main`. */
  base: string;
  /** The pushed branch, e.g. `studio/fix-login`. */
  branch: string;
  /** The kind of a self-hosted host, as the organisation named it. Ignored for the public hosts above. */
  hostKind?: PullRequestHostKind | null;
}

export interface PullRequestLink {
  url: string;
  hostKind: PullRequestHostKind;
}

/**
 * The link to open a pull request from `branch` into `base`, or null when the host's kind is not
 * known (or it has no such page without an API). Throws BAD_REQUEST for a URL or branch name that
 * cannot be made into one: the caller passed something other than what was pushed.
 */
export function pullRequestLink(input: PullRequestLinkInput): PullRequestLink | null {
  const url = parseRemote(input.remoteUrl);
  const host = hostOfUrl(url);
  if (!host.ok) throw new AppError("BAD_REQUEST", host.problem);
  const known = KNOWN_HOSTS[host.host];
  const hostKind = known ?? input.hostKind ?? null;
  if (hostKind === null) return null;
  if (!PULL_REQUEST_HOST_KINDS.includes(hostKind))
    throw new AppError("BAD_REQUEST", `Unknown kind of git host: ${String(hostKind)}.`);
  // Bitbucket Data Center has another URL scheme (projects/…/repos/…); only Cloud's is known here.
  if (hostKind === "bitbucket" && !known) return null;

  const base = checkBranch(input.base, "base branch");
  const branch = checkBranch(input.branch, "branch");
  // The public hosts are https whatever scheme the clone URL used; a self-hosted one keeps its own
  // scheme and port, since that is where its web pages are too.
  const origin = known ? `https://${host.host}` : `${url.protocol}//${host.host}`;
  const segments = repositorySegments(url, hostKind, Boolean(known));
  const repository = `${origin}/${segments.map(encodeStrict).join("/")}`;

  switch (hostKind) {
    case "github":
      return { hostKind, url: `${repository}/compare/${comparePath(base, branch)}?expand=1` };
    case "gitea":
      return { hostKind, url: `${repository}/compare/${comparePath(base, branch)}` };
    case "gitlab":
      return {
        hostKind,
        url: `${repository}/-/merge_requests/new?${query([
          ["merge_request[source_branch]", branch],
          ["merge_request[target_branch]", base],
        ])}`,
      };
    case "bitbucket":
      return {
        hostKind,
        url: `${repository}/pull-requests/new?${query([
          ["source", branch],
          ["dest", base],
        ])}`,
      };
  }
}

/** The remote URL parsed, held to the same form as any repository URL the studio accepts. */
function parseRemote(raw: string): URL {
  // Refused rather than stripped: a token in the URL means it was stored or logged somewhere it
  // should not be, and a link built from it would be shown to (and copied by) other members.
  const problem = repositoryUrlProblem(raw.trim());
  if (problem) throw new AppError("BAD_REQUEST", problem);
  return new URL(raw.trim());
}

/**
 * The repository's path segments, decoded, without `.git`. GitHub and Bitbucket Cloud have exactly
 * owner/repo; GitLab nests groups (a/b/c/repo); a self-hosted Gitea/Forgejo may sit under a sub-path
 * (ROOT_URL), which stays in front of owner/repo.
 */
function repositorySegments(url: URL, hostKind: PullRequestHostKind, known: boolean): string[] {
  const raw = url.pathname.split("/").filter((segment) => segment !== "");
  const last = raw.length - 1;
  if (last >= 0) raw[last] = (raw[last] ?? "").replace(/\.git$/, "");
  let segments: string[];
  try {
    segments = raw.map((segment) => decodeURIComponent(segment));
  } catch {
    throw new AppError("BAD_REQUEST", "The repository URL's path is not validly encoded.");
  }
  // An encoded `/` would split into more segments than the host sees.
  const valid = segments.every((segment) => segment !== "" && !segment.includes("/"));
  const nested = hostKind === "gitlab" || (hostKind === "gitea" && !known);
  const countOk = nested ? segments.length >= 2 : segments.length === 2;
  if (!valid || !countOk)
    throw new AppError(
      "BAD_REQUEST",
      hostKind === "gitlab"
        ? "The repository URL must name a namespace and a repository, e.g. https://gitlab.com/group/project.git."
        : "The repository URL must name an owner and a repository, e.g. https://github.com/acme/widgets.git.",
    );
  return segments;
}

/**
 * The branch name, refused where it would make a wrong link: empty, `..` (git forbids it, and it
 * would blur the `base...branch` of a compare path), or empty/`.` components and control characters
 * (git forbids them, and a browser would resolve or drop them in a path).
 */
function checkBranch(name: string, what: string): string {
  const components = name.split("/");
  if (
    name.length === 0 ||
    name.includes("..") ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
    /[\x00-\x1f\x7f]/.test(name) ||
    components.some((component) => component === "" || component === ".")
  )
    throw new AppError("BAD_REQUEST", `That ${what} name cannot be linked to: ${JSON.stringify(name)}.`);
  return name;
}

/**
 * `base...branch` for a compare path. GitHub and Gitea take a `/` in a branch name literally there,
 * so each `/`-separated component is encoded on its own and the slashes are kept.
 */
function comparePath(base: string, branch: string): string {
  const encode = (name: string) => name.split("/").map(encodeStrict).join("/");
  return `${encode(base)}...${encode(branch)}`;
}

/**
 * A query string. Parameter names are our constants and keep GitLab's `[` `]` readable, as its docs
 * write them (browsers and Rails read them either way); values are encoded so a form decoder (what
 * GitLab and Bitbucket use) gives back exactly the branch name, `/`, `+`, `&`, `#` included.
 */
function query(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([name, value]) => `${name}=${encodeStrict(value)}`).join("&");
}

/**
 * encodeURIComponent plus `!'()*`, so the link is already in the form a browser's URL parser gives
 * back (it escapes `'` in a query) and nothing is left for a host to read as a delimiter.
 */
function encodeStrict(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
