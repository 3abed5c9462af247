// Which IP addresses reach something other than the public internet: this machine, the local
// network, a cloud's metadata service. An organisation's endpoint URL must not lead the studio there
// unless the operator allows it (TENANT_PRIVATE_NETWORK), since the studio sends the request from
// inside that network and hands the answer back.
import { isIPv4, isIPv6 } from "node:net";

export type SpecialAddressKind =
  | "loopback"
  | "private"
  | "link-local"
  | "shared"
  | "unspecified"
  | "multicast"
  | "broadcast"
  | "reserved";

/** Whether endpoints an organisation supplies may reach special addresses (config: TENANT_PRIVATE_NETWORK). */
export type PrivateNetworkPolicy = "allow" | "deny";

type Range<Kind> = readonly [prefix: bigint, length: number, kind: Kind];

// First match wins, so narrower ranges come before the ranges that contain them.
const IPV4_RANGES: readonly Range<SpecialAddressKind>[] = [
  [v4("0.0.0.0"), 32, "unspecified"], // connecting to it reaches this machine
  [v4("0.0.0.0"), 8, "reserved"], // "this network"
  [v4("10.0.0.0"), 8, "private"],
  [v4("100.64.0.0"), 10, "shared"], // carrier-grade NAT
  [v4("127.0.0.0"), 8, "loopback"],
  [v4("169.254.0.0"), 16, "link-local"], // includes cloud metadata, 169.254.169.254
  [v4("172.16.0.0"), 12, "private"],
  [v4("192.0.0.0"), 24, "reserved"], // IETF protocol assignments
  [v4("192.0.2.0"), 24, "reserved"], // documentation
  [v4("192.88.99.0"), 24, "reserved"], // old 6to4 relays
  [v4("192.168.0.0"), 16, "private"],
  [v4("198.18.0.0"), 15, "reserved"], // benchmarking
  [v4("198.51.100.0"), 24, "reserved"], // documentation
  [v4("203.0.113.0"), 24, "reserved"], // documentation
  [v4("224.0.0.0"), 4, "multicast"],
  [v4("255.255.255.255"), 32, "broadcast"],
  [v4("240.0.0.0"), 4, "reserved"],
];

const IPV6_RANGES: readonly Range<SpecialAddressKind | "embedded-ipv4">[] = [
  [ipv6Value("::"), 128, "unspecified"],
  [ipv6Value("::1"), 128, "loopback"],
  // These carry an IPv4 address that the connection may end up at: judged by that address.
  [ipv6Value("::ffff:0:0"), 96, "embedded-ipv4"], // IPv4-mapped
  [ipv6Value("64:ff9b::"), 96, "embedded-ipv4"], // NAT64
  [ipv6Value("2002::"), 16, "embedded-ipv4"], // 6to4
  [ipv6Value("64:ff9b:1::"), 48, "private"], // local-use NAT64
  [ipv6Value("fc00::"), 7, "private"], // unique local
  [ipv6Value("fec0::"), 10, "private"], // old site-local
  [ipv6Value("fe80::"), 10, "link-local"],
  [ipv6Value("ff00::"), 8, "multicast"],
  [ipv6Value("2001::"), 23, "reserved"], // IETF protocol assignments, Teredo among them
  [ipv6Value("2001:db8::"), 32, "reserved"], // documentation
  [ipv6Value("3fff::"), 20, "reserved"], // documentation
];

/** Only 2000::/3 is global unicast; everything else (IPv4-compatible ::a.b.c.d among it) is not the internet. */
const IPV6_GLOBAL_UNICAST = ipv6Value("2000::");

/**
 * The kind of special address `address` is, or null for a public one. Accepts IPv4 and IPv6
 * literals (with or without brackets or a zone); anything that is not an IP address is null.
 */
export function specialAddressKind(address: string): SpecialAddressKind | null {
  const literal = address.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  if (isIPv4(literal)) return kindIn(IPV4_RANGES, v4(literal), 32);
  if (!isIPv6(literal)) return null;
  const value = ipv6Value(literal);
  const kind = kindIn(IPV6_RANGES, value, 128);
  if (kind === "embedded-ipv4") return embeddedIpv4Kind(value);
  if (kind) return kind;
  return value >> 125n === IPV6_GLOBAL_UNICAST >> 125n ? null : "reserved";
}

/** "a loopback address", "an unspecified address": the words used in refusals. */
export function describeSpecialAddress(kind: SpecialAddressKind): string {
  const words: Record<SpecialAddressKind, string> = {
    loopback: "a loopback address",
    private: "a private address",
    "link-local": "a link-local address",
    shared: "a carrier-grade NAT address",
    unspecified: "an unspecified address",
    multicast: "a multicast address",
    broadcast: "a broadcast address",
    reserved: "a reserved address",
  };
  return words[kind];
}

function kindIn<Kind>(ranges: readonly Range<Kind>[], value: bigint, bits: number): Kind | null {
  for (const [prefix, length, kind] of ranges) {
    const shift = BigInt(bits - length);
    if (value >> shift === prefix >> shift) return kind;
  }
  return null;
}

function embeddedIpv4Kind(value: bigint): SpecialAddressKind | null {
  // 6to4 puts the IPv4 address right after its 16-bit prefix; the others in the last 32 bits.
  const ipv4 = value >> 112n === 0x2002n ? (value >> 80n) & 0xffffffffn : value & 0xffffffffn;
  return kindIn(IPV4_RANGES, ipv4, 32);
}

function v4(address: string): bigint {
  return address.split(".").reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

/** An IPv6 literal (already validated) as a 128-bit number; a trailing dotted IPv4 part is allowed. */
export function ipv6Value(address: string): bigint {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const ipv4 = v4(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${(ipv4 >> 16n).toString(16)}:${(ipv4 & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const missing = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(missing).fill("0"), ...tailGroups];
  return groups.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}
