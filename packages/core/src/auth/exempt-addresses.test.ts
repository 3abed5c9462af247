import { describe, expect, it } from "vitest";
import { isLimitExempt, parseExemptAddresses } from "./exempt-addresses.ts";

describe("addresses exempt from per-address limits", () => {
  const exempt = parseExemptAddresses(" 203.0.113.7, 198.51.100.0/24 ,2001:db8:1::/48 ");

  it("are loopback, and the addresses and ranges the operator names", () => {
    for (const address of [
      "127.0.0.1",
      "::1",
      "::ffff:127.0.0.1",
      "203.0.113.7",
      "198.51.100.200",
      "::ffff:198.51.100.9",
      "2001:db8:1:ffff::1",
    ])
      expect(isLimitExempt(address, exempt), address).toBe(true);
    for (const address of ["203.0.113.8", "198.51.101.1", "2001:db8:2::1", "10.0.0.1", "not an address"])
      expect(isLimitExempt(address, exempt), address).toBe(false);
    expect(isLimitExempt(null, exempt)).toBe(false);
    expect(isLimitExempt("203.0.113.7", null)).toBe(false);
    expect(isLimitExempt("127.0.0.1", null)).toBe(true);
  });

  it("refuse what is no address or range", () => {
    for (const bad of [
      "203.0.113",
      "198.51.100.0/33",
      "2001:db8::/129",
      "example.com",
      "1.2.3.4/8/1",
      "1.2.3.4/x",
    ])
      expect(() => parseExemptAddresses(bad), bad).toThrow(/is not an IP address or CIDR range/);
    expect(() => parseExemptAddresses("")).not.toThrow();
  });
});
