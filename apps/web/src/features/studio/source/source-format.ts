// Pure helpers for the session source picker, the provisioning progress bar and the take-away menu:
// everything here is plain data in, strings out, so it is unit tested without a browser.

/** The server's default upload limit (compressed); the UI says so before anyone picks a file. */
export const UPLOAD_LIMIT_BYTES = 200 * 1024 * 1024;

const units = ["KB", "MB", "GB", "TB"] as const;

/** "812 B", "4.2 KB", "38 MB", "1.4 GB": binary units, one decimal below 10. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "–";
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  return `${rounded} ${units[unit]}`;
}

/** "1 file", "12,408 files". */
export function formatFileCount(count: number): string {
  return `${count.toLocaleString("en")} ${count === 1 ? "file" : "files"}`;
}

/** A percentage clamped to 0–100, or null when nothing says how far along it is. */
export function clampPercent(percent: number | null | undefined): number | null {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return null;
  return Math.min(100, Math.max(0, percent));
}

export interface StepProgress {
  percent: number | null;
  done: number | null;
  total: number | null;
  bytes: number | null;
}

/** The line under a running clone: "42% · 1,204 / 2,866 objects · 3.1 MB received". */
export function describeStepProgress(progress: StepProgress): string {
  const parts: string[] = [];
  const percent = clampPercent(progress.percent);
  if (percent !== null) parts.push(`${Math.floor(percent)}%`);
  if (progress.done !== null && progress.total !== null && progress.total > 0) {
    parts.push(`${progress.done.toLocaleString("en")} / ${progress.total.toLocaleString("en")} objects`);
  } else if (progress.done !== null) {
    parts.push(`${progress.done.toLocaleString("en")} objects`);
  }
  if (progress.bytes !== null) parts.push(`${formatBytes(progress.bytes)} received`);
  return parts.join(" · ");
}

/**
 * Whether a URL is worth asking the server to list: an http(s) URL with a host and a path. The
 * server decides for real (http only reaches a git server on its own network, where the operator
 * allows it, and says so otherwise); this only keeps half-typed text from costing an ls-remote on
 * every key press.
 */
export function looksLikeRepositoryUrl(text: string): boolean {
  const value = text.trim();
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    const url = new URL(value);
    return url.hostname.includes(".") || url.hostname === "localhost"
      ? url.pathname.replace(/\/+$/, "").length > 1
      : false;
  } catch {
    return false;
  }
}

/** "github.com/acme/api" from "https://github.com/acme/api.git": how a repository is named in the UI. */
export function repositoryLabel(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname.replace(/\/+$/, "").replace(/\.git$/, "");
    return `${parsed.host}${path}`;
  } catch {
    return url;
  }
}

/** The host of a repository URL, for the "add a credential for <host>" hint. */
export function repositoryHost(url: string): string | null {
  try {
    return new URL(url.trim()).host || null;
  } catch {
    return null;
  }
}

/** A full or abbreviated commit id: what the free-text ref option accepts. */
export function isCommitSha(text: string): boolean {
  return /^[0-9a-f]{7,40}$/i.test(text.trim());
}

/** The first 7 characters of a commit id, as git shows them. */
export function shortCommit(commit: string): string {
  return commit.slice(0, 7);
}

/** "refs/heads/studio/abc" → "studio/abc" (tags and other refs keep their full name). */
export function branchName(ref: string): string {
  return ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : ref;
}

export interface RefOption {
  /** What is sent as `ref`; "" means the remote's default branch. */
  value: string;
  label: string;
  group: "branch" | "tag";
}

/**
 * The branches (default first, marked) and tags a repository offers, in the order the select shows
 * them; the default branch is the empty value so the server clones whatever the remote calls default.
 */
export function refOptions(refs: {
  defaultBranch: string | null;
  branches: readonly string[];
  tags: readonly string[];
}): RefOption[] {
  const options: RefOption[] = [];
  if (refs.defaultBranch) {
    options.push({ value: "", label: `${refs.defaultBranch} (default)`, group: "branch" });
  } else {
    options.push({ value: "", label: "Default branch", group: "branch" });
  }
  const branches = [...refs.branches].filter((branch) => branch !== refs.defaultBranch).sort();
  for (const branch of branches) options.push({ value: branch, label: branch, group: "branch" });
  for (const tag of [...refs.tags].sort().reverse()) options.push({ value: tag, label: tag, group: "tag" });
  return options;
}

/** The archive types the server unpacks, by name. */
export function archiveKind(name: string): "zip" | "tar.gz" | null {
  const lower = name.toLowerCase();
  if (lower.endsWith(".zip")) return "zip";
  if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) return "tar.gz";
  return null;
}

/** Links the take-away menu offers: plain GETs the browser downloads with the session cookie. */
export function archiveDownloadUrl(sessionId: string, format: "zip" | "tar.gz", withGit: boolean): string {
  const query = new URLSearchParams({ format, git: withGit ? "1" : "0" });
  return `/api/sessions/${encodeURIComponent(sessionId)}/download?${query}`;
}

export function patchDownloadUrl(sessionId: string): string {
  return `/api/sessions/${encodeURIComponent(sessionId)}/changes.patch`;
}
