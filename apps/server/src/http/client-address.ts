// The client's address for throttling. `X-Forwarded-For` is a list each proxy appends the address
// it was reached from to; whatever sits left of the entry our own nearest proxy wrote is the
// client's to write. So the address is read from the right: the first entry not written by a proxy
// we trust (TRUST_PROXY as a list of addresses), or the entry that many hops back (a count).
import { BlockList, isIP } from "node:net";

/** false: ignore X-Forwarded-For. A number: proxies in front of the studio. A list: proxies' addresses. */
export type TrustProxy = false | number | BlockList;

/** Parses TRUST_PROXY: `false`, `true` (one proxy), a hop count, or addresses and CIDR ranges. */
export function parseTrustProxy(value: string): TrustProxy | Error {
  const text = value.trim().toLowerCase();
  if (text === "" || text === "false" || text === "0") return false;
  if (text === "true") return 1;
  if (/^\d+$/.test(text)) return Number(text) <= 32 ? Number(text) : new Error("at most 32 hops");
  const list = new BlockList();
  for (const entry of text.split(",").map((part) => part.trim())) {
    const [address = "", prefix] = entry.split("/");
    const family = isIP(address);
    if (family === 0) return new Error(`"${entry}" is not an address, a CIDR range, a count, true or false`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) list.addAddress(address, type);
    else {
      const bits = Number(prefix);
      if (!/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128))
        return new Error(`bad prefix in "${entry}"`);
      list.addSubnet(address, bits, type);
    }
  }
  return list;
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is 10.0.0.1. */
function normalise(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

function trusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
}

export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trust: TrustProxy,
): string | null {
  const peer = remoteAddress ? normalise(remoteAddress) : null;
  if (trust === false || forwardedFor === undefined || peer === null) return peer;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor;
  // Only the right end matters: a huge header is cut there (its first, partial entry dropped).
  const tail = header.length > 4096 ? header.slice(-4096).split(",").slice(1) : header.split(",");
  const entries = tail.map((part) => normalise(part.trim()));
  // Nearest first: the peer, then the forwarded entries from the right.
  const chain = [peer, ...entries.filter((entry) => entry !== "").reverse()];
  if (typeof trust === "number") return chain[Math.min(trust, chain.length - 1)]!;
  for (const [index, address] of chain.entries()) {
    if (!trusted(trust, address) || index === chain.length - 1) return address;
  }
  return peer;
}
