// Which repository URLs the studio's own git may be pointed at with a stored credential. The same
// rule as an organisation's model endpoint (TENANT_PRIVATE_NETWORK, special-addresses.ts) decides
// which addresses are allowed, plus: https only, except a git server on this machine or its private
// network, over http, where the operator allows those addresses at all. The credential travels with
// every request, so it must not go in clear over the internet, nor to a host other than its own.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import {
  describeSpecialAddress,
  type PrivateNetworkPolicy,
  specialAddressKind,
} from "../keys/special-addresses.ts";
import type { ResolveHost } from "../keys/tenant-endpoint.ts";
import { AppError } from "../shared/errors.ts";
import { hostOfUrl } from "./host.ts";
import type { GitRemoteTarget } from "./remote.ts";

const resolveWithSystem: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

const HTTPS_EXAMPLE = "Use the repository's https URL, e.g. https://github.com/acme/widgets.git.";

/** What is wrong with a repository URL's form (before any address is looked at), or null. */
export function repositoryUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return HTTPS_EXAMPLE;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return HTTPS_EXAMPLE;
  if (url.username || url.password || /^[a-z]+:\/\/[^/]*@/i.test(raw))
    return "Put no user name or token in the URL: the stored credential is used.";
  if (raw.includes("?") || raw.includes("#"))
    return "The repository URL cannot have a query string or fragment.";
  if (!hostOfUrl(url).ok) return "That URL's host is not a valid host name.";
  if (url.pathname === "/" || url.pathname === "")
    return "Name the repository, e.g. https://github.com/acme/widgets.git.";
  return null;
}

/** A host a git server on this machine or its private network answers at: http is allowed there. */
const isLocalKind = (address: string) => {
  const kind = specialAddressKind(address);
  return kind === "loopback" || kind === "private";
};

export type PreparedRemote =
  | { ok: true; target: GitRemoteTarget }
  | { ok: false; outcome: "unreachable"; message: string };

/**
 * Checks `raw` as a URL the credential for `host` may be sent to, and returns the target to run git
 * against (names pinned to the addresses checked), or `unreachable` when its name does not resolve.
 * Refuses (BAD_REQUEST) a URL of the wrong form, on another host, or at an address the policy refuses.
 */
export async function prepareRemote(
  raw: string,
  host: string,
  privateNetwork: PrivateNetworkPolicy,
  resolve: ResolveHost = resolveWithSystem,
): Promise<PreparedRemote> {
  const problem = repositoryUrlProblem(raw);
  if (problem) throw new AppError("BAD_REQUEST", problem);
  const url = new URL(raw);
  const urlHost = hostOfUrl(url);
  if (!urlHost.ok || urlHost.host !== host)
    throw new AppError(
      "BAD_REQUEST",
      `That URL is on ${urlHost.ok ? urlHost.host : "another host"}, not on ${host}.`,
    );
  const http = url.protocol === "http:";
  if (http && privateNetwork === "deny") throw new AppError("BAD_REQUEST", HTTPS_EXAMPLE);
  // Under "allow", an https URL may go anywhere: git resolves it itself.
  if (!http && privateNetwork === "allow") return { ok: true, target: { url: url.href } };

  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const literal = isIP(hostname) !== 0;
  const addresses = literal ? [hostname] : await resolve(hostname).catch(() => []);
  if (addresses.length === 0)
    return { ok: false, outcome: "unreachable", message: `${url.host} could not be found (DNS).` };
  for (const address of addresses) {
    if (http && !isLocalKind(address))
      throw new AppError(
        "BAD_REQUEST",
        `http is only for a git server on this machine or its private network; ${url.host} is at ${address}. ${HTTPS_EXAMPLE}`,
      );
    const kind = specialAddressKind(address);
    if (!http && kind)
      throw new AppError(
        "BAD_REQUEST",
        `${url.host} is ${literal ? "" : `at `}${describeSpecialAddress(kind)} (${address}), which this studio does not allow.`,
      );
  }
  if (literal) return { ok: true, target: { url: url.href } };
  const port = url.port || (http ? "80" : "443");
  const pinned = addresses.map((address) => (isIP(address) === 6 ? `[${address}]` : address)).join(",");
  return { ok: true, target: { url: url.href, pins: [`${url.hostname}:${port}:${pinned}`] } };
}
