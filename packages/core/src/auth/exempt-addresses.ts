// Client addresses that per-address limits (sign-ups, API token creation, API requests) do not
// count: the studio's own machine, and what the operator names in LIMITS_EXEMPT_ADDRESSES — a QA
// team's test runner or a CI egress, which make many accounts from one address on purpose.
// Node's BlockList matches addresses and CIDR ranges, IPv4 and IPv6.
import { BlockList, isIP } from "node:net";
import { specialAddressKind } from "../keys/special-addresses.ts";

/** Parses `203.0.113.7, 198.51.100.0/24, 2001:db8::/48`; throws on anything else, naming it. */
export function parseExemptAddresses(text: string): BlockList {
  const list = new BlockList();
  for (const entry of text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [address = "", bits, extra] = entry.split("/");
    const family = isIP(address);
    const prefix = bits === undefined ? null : Number(bits);
    const max = family === 6 ? 128 : 32;
    if (
      !family ||
      extra !== undefined ||
      (prefix !== null && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= max))
    )
      throw new Error(`"${entry}" is not an IP address or CIDR range`);
    const type = family === 6 ? "ipv6" : "ipv4";
    if (prefix === null) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return list;
}

/** Whether per-address limits leave `address` alone (loopback, or named by the operator). */
export function isLimitExempt(address: string | null, exempt: BlockList | null): boolean {
  if (!address) return false;
  if (specialAddressKind(address) === "loopback") return true;
  const family = isIP(address);
  if (!exempt || !family) return false;
  if (exempt.check(address, family === 6 ? "ipv6" : "ipv4")) return true;
  // An IPv4 client seen through an IPv6 socket (`::ffff:203.0.113.7`).
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  return mapped ? exempt.check(mapped, "ipv4") : false;
}
