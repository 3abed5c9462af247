// A git host as an organisation names it for a credential: `github.com`, `gitlab.example.com`,
// `git.internal:8443`, `[fd00::5]:3000`. Stored normalised (lower-case, IDN as punycode, no default
// https port), so the same host is one row however it was typed, and compared with the host of a
// repository URL the same way.
import { isIPv6 } from "node:net";

const MAX_HOST_LENGTH = 255;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

export type GitHostResult = { ok: true; host: string } | { ok: false; problem: string };

const EXAMPLE = "Enter the host only, e.g. github.com or git.example.com:8443.";

/** The host normalised, or why it is not one. Only a host and an optional port: no scheme, user, path. */
export function normaliseGitHost(raw: string): GitHostResult {
  const text = raw.trim();
  if (text.length === 0) return { ok: false, problem: EXAMPLE };
  if (text.length > MAX_HOST_LENGTH) return { ok: false, problem: "That host name is too long." };
  // Checked on the raw text: URL parsing would quietly drop or reinterpret these.
  if (/[\s/\\?#@%]/.test(text) || text.includes("://"))
    return { ok: false, problem: `${EXAMPLE} No scheme, user name, path or spaces.` };
  let url: URL;
  try {
    url = new URL(`https://${text}`);
  } catch {
    return { ok: false, problem: EXAMPLE };
  }
  if (url.username || url.password || url.pathname !== "/" || url.search || url.hash)
    return { ok: false, problem: EXAMPLE };
  return hostOfUrl(url);
}

/**
 * The normalised host of an http(s) URL (already parsed), checked as a credential's host is. URL
 * drops the scheme's default port, so `https://github.com:443/x` and `github.com` agree, as do
 * `http://10.0.0.5/x` and `10.0.0.5`.
 */
export function hostOfUrl(url: URL): GitHostResult {
  const hostname = url.hostname.toLowerCase();
  const bracketed = /^\[(.*)\]$/.exec(hostname);
  if (bracketed) {
    if (!isIPv6(bracketed[1] ?? "")) return { ok: false, problem: EXAMPLE };
  } else if (!HOSTNAME.test(hostname)) {
    return { ok: false, problem: "That is not a valid host name." };
  }
  return { ok: true, host: url.port ? `${hostname}:${url.port}` : hostname };
}
