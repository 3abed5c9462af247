// An organisation's own OpenAI-compatible endpoint: a URL anyone who owns an organisation may set,
// which the studio then calls from inside its own network and whose answers it hands back. Checked
// when it is saved (here, for a clear message in the form) and again on every connection the
// gateway makes (packages/gateway), since a name may resolve elsewhere by then.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { AppError } from "../shared/errors.ts";
import {
  describeSpecialAddress,
  type PrivateNetworkPolicy,
  specialAddressKind,
} from "./special-addresses.ts";

/** Resolves a host name to the addresses a connection to it could use. */
export type ResolveHost = (hostname: string) => Promise<string[]>;

const resolveWithSystem: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * What is wrong with an endpoint URL's form, or null. The studio appends API paths to it, so a
 * query string or fragment would swallow them, and credentials belong in the key field.
 */
export function endpointUrlProblem(baseUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return "Use an http(s) URL, e.g. http://localhost:11434/v1.";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return "Use an http(s) URL, e.g. http://localhost:11434/v1.";
  if (url.username || url.password)
    return "Put no user name or password in the endpoint URL; use the API key field.";
  // The raw text, not url.search: `…/v1?` has an empty search but would still swallow the path.
  if (baseUrl.includes("?"))
    return "The endpoint URL cannot have a query string: the studio appends the API path to it.";
  if (baseUrl.includes("#"))
    return "The endpoint URL cannot have a fragment (#…): the studio appends the API path to it.";
  return null;
}

/** Why connecting to `address` is refused under `policy`, or null when it is allowed. */
export function refusedAddressMessage(
  address: string,
  policy: PrivateNetworkPolicy,
  resolvedFrom: string | null,
): string | null {
  if (policy === "allow") return null;
  const kind = specialAddressKind(address);
  if (!kind) return null;
  const what = describeSpecialAddress(kind);
  return resolvedFrom
    ? `The endpoint ${resolvedFrom} resolves to ${what} (${address}), which this studio does not allow.`
    : `The endpoint is ${what} (${address}), which this studio does not allow.`;
}

/**
 * Refuses (BAD_REQUEST) an endpoint URL of the wrong form, or one whose host is or resolves to an
 * address the policy refuses. Under "allow" nothing is resolved.
 */
export async function assertTenantEndpointAllowed(
  baseUrl: string,
  policy: PrivateNetworkPolicy,
  resolve: ResolveHost = resolveWithSystem,
): Promise<void> {
  const problem = endpointUrlProblem(baseUrl);
  if (problem) throw new AppError("BAD_REQUEST", problem);
  if (policy === "allow") return;
  const hostname = new URL(baseUrl).hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(hostname)) {
    const refused = refusedAddressMessage(hostname, policy, null);
    if (refused) throw new AppError("BAD_REQUEST", refused);
    return;
  }
  // A name that does not resolve cannot be checked: say so now rather than at the first call.
  const addresses = await resolve(hostname).catch(() => []);
  if (addresses.length === 0)
    throw new AppError("BAD_REQUEST", `The endpoint's host ${hostname} could not be found.`);
  for (const address of addresses) {
    const refused = refusedAddressMessage(address, policy, hostname);
    if (refused) throw new AppError("BAD_REQUEST", refused);
  }
}
