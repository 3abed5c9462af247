// Connections to endpoints an organisation supplied (its custom OpenAI-compatible URL). Under
// TENANT_PRIVATE_NETWORK=deny they may only reach public addresses. The check is made on the address
// the socket actually connects to, after resolution, on every new connection: checking the URL when
// it was saved is not enough, since a name can be made to resolve elsewhere later (DNS rebinding).
import dns from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { refusedAddressMessage } from "@studio/core";
import { type Agent, buildConnector } from "undici";
import { newUpstreamAgent } from "./forward.ts";

/** The studio would not connect: the endpoint is (or resolves to) an address the operator keeps tenants away from. */
export class RefusedAddressError extends Error {
  override name = "RefusedAddressError";
}

/** dns.lookup's shape with `all: true`, so tests can resolve names without DNS. */
export type ResolveAll = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

const systemResolveAll: ResolveAll = (hostname, options, callback) => dns.lookup(hostname, options, callback);

/**
 * A `lookup` for net.connect that resolves every address of the name and fails the connection
 * when any of them is refused, so whatever address the socket then picks has been checked.
 */
export function guardedLookup(resolve: ResolveAll = systemResolveAll): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      for (const { address } of addresses) {
        const refused = refusedAddressMessage(address, "deny", hostname);
        if (refused) return callback(new RefusedAddressError(refused), []);
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (!first)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), []);
      callback(null, first.address, first.family);
    });
  };
}

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
