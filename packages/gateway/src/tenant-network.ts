// Connections to endpoints an organisation supplied (its custom OpenAI-compatible URL). Under
// TENANT_PRIVATE_NETWORK=deny they may only reach public addresses. The check is made on the address
// the socket actually connects to, after resolution, on every new connection: checking the URL when
// it was saved is not enough, since a name can be made to resolve elsewhere later (DNS rebinding).
import { isIP } from "node:net";
import { guardedLookup, RefusedAddressError, type ResolveAll, refusedAddressMessage } from "@studio/core";
import { type Agent, buildConnector } from "undici";
import { newUpstreamAgent } from "./forward.ts";

export { guardedLookup, RefusedAddressError, type ResolveAll } from "@studio/core";

/** Why a connection to this host (as undici names it, IPv6 in brackets) is refused, when it is an IP literal. */
export function refusedLiteral(hostname: string): string | null {
  const host = hostname.replace(/^\[(.*)\]$/, "$1");
  return isIP(host) ? refusedAddressMessage(host, "deny", null) : null;
}

/** undici's connector with the checks: net.connect never calls `lookup` for an IP literal, so those are checked here. */
export function guardedConnector(resolve?: ResolveAll): buildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup(resolve) });
  return (options, callback) => {
    const refused = refusedLiteral(options.hostname);
    if (refused) return callback(new RefusedAddressError(refused), null);
    connect(options, callback);
  };
}

/** A client for organisation-supplied endpoints under TENANT_PRIVATE_NETWORK=deny. */
export function newGuardedAgent(): Agent {
  return newUpstreamAgent(guardedConnector());
}
