import { describe, expect, it } from "vitest";
import { type SpecialAddressKind, specialAddressKind } from "./special-addresses.ts";
import { endpointUrlProblem, refusedAddressMessage } from "./tenant-endpoint.ts";

// Every class the setting governs, at its edges, and public addresses just outside them.
const ADDRESSES: [address: string, kind: SpecialAddressKind | null][] = [
  ["127.0.0.1", "loopback"],
  ["127.255.255.254", "loopback"],
  ["::1", "loopback"],
  ["[::1]", "loopback"],
  ["0:0:0:0:0:0:0:1", "loopback"],
  ["10.0.0.5", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["192.168.1.1", "private"],
  ["fc00::1", "private"],
  ["fd12:3456:789a::1", "private"],
  ["fec0::1", "private"],
  ["169.254.169.254", "link-local"], // cloud metadata
  ["169.254.0.1", "link-local"],
  ["fe80::1", "link-local"],
  ["fe80::1%eth0", "link-local"],
  ["febf::1", "link-local"],
  ["fd00:ec2::254", "private"], // AWS metadata over IPv6
  ["100.64.0.1", "shared"],
  ["100.127.255.255", "shared"],
  ["0.0.0.0", "unspecified"],
  ["::", "unspecified"],
  ["0.1.2.3", "reserved"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["ff02::1", "multicast"],
  ["255.255.255.255", "broadcast"],
  ["240.0.0.1", "reserved"],
  ["192.0.0.8", "reserved"],
  ["192.0.2.1", "reserved"],
  ["198.18.0.1", "reserved"],
  ["198.51.100.7", "reserved"],
  ["203.0.113.9", "reserved"],
  ["2001:db8::1", "reserved"],
  ["2001::1", "reserved"], // Teredo
  ["100::1", "reserved"], // discard-only
  ["::127.0.0.1", "reserved"], // IPv4-compatible, deprecated
  // IPv4 inside IPv6 is judged by the IPv4 address it leads to.
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:7f00:1", "loopback"],
  ["[::ffff:a9fe:a9fe]", "link-local"],
  ["::ffff:10.1.2.3", "private"],
  ["64:ff9b::10.0.0.1", "private"], // NAT64
  ["64:ff9b:1::1", "private"],
  ["2002:7f00:1::", "loopback"], // 6to4
  ["2002:a9fe:a9fe::1", "link-local"],
  ["::ffff:8.8.8.8", null],
  ["64:ff9b::8.8.8.8", null],
  ["2002:808:808::1", null],
  // Public.
  ["8.8.8.8", null],
  ["1.1.1.1", null],
  ["100.63.255.255", null],
  ["100.128.0.0", null],
  ["172.15.255.255", null],
  ["172.32.0.0", null],
  ["169.253.255.255", null],
  ["11.0.0.1", null],
  ["223.255.255.255", null],
  ["2606:4700:4700::1111", null],
  ["2a00:1450:4001:80b::200e", null],
  ["2001:4860:4860::8888", null],
  // Not addresses at all: names are judged by what they resolve to.
  ["localhost", null],
  ["example.com", null],
];

describe("special addresses", () => {
  it.each(ADDRESSES)("%s is %s", (address, kind) => {
    expect(specialAddressKind(address)).toBe(kind);
  });

  it("are refused under deny, with the class and the address named, and allowed under allow", () => {
    for (const [address, kind] of ADDRESSES) {
      expect(refusedAddressMessage(address, "allow", null)).toBeNull();
      const refused = refusedAddressMessage(address, "deny", null);
      if (kind) expect(refused).toContain(`(${address})`);
      else expect(refused).toBeNull();
    }
    expect(refusedAddressMessage("10.0.0.5", "deny", "models.internal")).toBe(
      "The endpoint models.internal resolves to a private address (10.0.0.5), which this studio does not allow.",
    );
    expect(refusedAddressMessage("169.254.169.254", "deny", null)).toBe(
      "The endpoint is a link-local address (169.254.169.254), which this studio does not allow.",
    );
  });
});

describe("an endpoint URL's form", () => {
  it.each([
    ["http://localhost:11434/v1", null],
    ["https://models.example.com/openai/v1", null],
    ["http://models.example.com/admin?x=", /query string/],
    ["http://models.example.com/v1?", /query string/],
    ["http://models.example.com/v1#frag", /fragment/],
    ["http://user:secret@models.example.com/v1", /user name or password/],
    ["http://user@models.example.com/v1", /user name or password/],
    ["ftp://models.example.com/v1", /http\(s\)/],
    ["file:///etc/passwd", /http\(s\)/],
    ["not a url", /http\(s\)/],
  ])("%s", (url, problem) => {
    if (problem === null) expect(endpointUrlProblem(url)).toBeNull();
    else expect(endpointUrlProblem(url)).toMatch(problem);
  });
});
