import { BlockList } from "node:net";
import { describe, expect, it } from "vitest";
import { clientAddress, parseTrustProxy } from "./client-address.ts";

describe("the client address behind proxies", () => {
  it("is the socket's peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddress("203.0.113.9", "1.2.3.4", false)).toBe("203.0.113.9");
    expect(clientAddress("::ffff:203.0.113.9", undefined, false)).toBe("203.0.113.9");
  });

  it("is the right-most entry behind one proxy, not the left-most one the client wrote", () => {
    // The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it saw.
    expect(clientAddress("10.0.0.2", "1.2.3.4, 198.51.100.7", 1)).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.2", "198.51.100.7", 1)).toBe("198.51.100.7");
  });

  it("counts hops from the right, and stops at the left end of a short chain", () => {
    expect(clientAddress("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.1", 2)).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.2", "198.51.100.7", 3)).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.2", ["1.2.3.4", "198.51.100.7"], 1)).toBe("198.51.100.7");
  });

  it("takes the right-most address that is not a trusted proxy", () => {
    const proxies = parseTrustProxy("10.0.0.0/8, 192.0.2.1") as BlockList;
    expect(proxies).toBeInstanceOf(BlockList);
    expect(clientAddress("10.0.0.2", "1.2.3.4, 198.51.100.7, 192.0.2.1, 10.9.9.9", proxies)).toBe(
      "198.51.100.7",
    );
    // A peer that is not one of the proxies is the client, whatever it forwards.
    expect(clientAddress("198.51.100.50", "1.2.3.4", proxies)).toBe("198.51.100.50");
    // Only proxies all the way: the left-most entry is all there is.
    expect(clientAddress("10.0.0.2", "10.0.0.3", proxies)).toBe("10.0.0.3");
  });

  it("reads only the right end of a huge header", () => {
    const forged = `${"1.1.1.1, ".repeat(2000)}198.51.100.7`;
    expect(clientAddress("10.0.0.2", forged, 1)).toBe("198.51.100.7");
  });

  it("parses TRUST_PROXY", () => {
    expect(parseTrustProxy("false")).toBe(false);
    expect(parseTrustProxy("")).toBe(false);
    expect(parseTrustProxy("true")).toBe(1);
    expect(parseTrustProxy("2")).toBe(2);
    expect(parseTrustProxy("::1, fd00::/8")).toBeInstanceOf(BlockList);
    expect(parseTrustProxy("proxy.internal")).toBeInstanceOf(Error);
    expect(parseTrustProxy("10.0.0.0/40")).toBeInstanceOf(Error);
  });
});
