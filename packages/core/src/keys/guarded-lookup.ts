// The address check on connections to URLs an organisation supplied (its model endpoint, its alert
// webhook) under TENANT_PRIVATE_NETWORK=deny: made on the addresses a name resolves to when the
// socket connects, not only when the URL was saved, since a name can be made to resolve elsewhere
// later (DNS rebinding). Shared by the gateway's undici connector and the webhook's node:http POST.
import dns from "node:dns";
import type { LookupFunction } from "node:net";
import { refusedAddressMessage } from "./tenant-endpoint.ts";

/** The studio would not connect: the URL is (or resolves to) an address the operator keeps tenants away from. */
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
