// The connection-time checks on their own, with a stand-in resolver: nothing here connects.
import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import { guardedLookup, RefusedAddressError, type ResolveAll, refusedLiteral } from "./tenant-network.ts";

const DNS: Record<string, LookupAddress[]> = {
  "models.example.com": [
    { address: "93.184.216.34", family: 4 },
    { address: "2606:2800:220:1:248:1893:25c8:1946", family: 6 },
  ],
  "metadata.example.com": [{ address: "169.254.169.254", family: 4 }],
  // Rebinding to a mapped loopback address.
  "rebound.example.com": [{ address: "::ffff:127.0.0.1", family: 6 }],
  "split.example.com": [
    { address: "93.184.216.34", family: 4 },
    { address: "10.0.0.5", family: 4 },
  ],
};

const requested: { hostname: string; all: boolean }[] = [];
const standInDns: ResolveAll = (hostname, options, callback) => {
  requested.push({ hostname, all: options.all });
  const addresses = DNS[hostname];
  if (!addresses)
    return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), []);
  callback(null, addresses);
};

function lookUp(hostname: string, all: boolean) {
  return new Promise<{ error: Error | null; address: unknown; family?: number }>((resolve) =>
    guardedLookup(standInDns)(hostname, { all }, (error, address, family) =>
      resolve({ error, address, family }),
    ),
  );
}

describe("the guarded lookup", () => {
  it("passes every address of a public name on, in the form net.connect asked for", async () => {
    expect(await lookUp("models.example.com", true)).toMatchObject({
      error: null,
      address: DNS["models.example.com"],
    });
    expect(await lookUp("models.example.com", false)).toMatchObject({
      error: null,
      address: "93.184.216.34",
      family: 4,
    });
    // Every address is resolved and checked even when net.connect wants one.
    expect(requested.every((request) => request.all)).toBe(true);
  });

  it("fails the connection when any address the name resolves to is special", async () => {
    for (const [hostname, message] of [
      [
        "metadata.example.com",
        "The endpoint metadata.example.com resolves to a link-local address (169.254.169.254), which this studio does not allow.",
      ],
      [
        "rebound.example.com",
        "The endpoint rebound.example.com resolves to a loopback address (::ffff:127.0.0.1), which this studio does not allow.",
      ],
      [
        "split.example.com",
        "The endpoint split.example.com resolves to a private address (10.0.0.5), which this studio does not allow.",
      ],
    ] as const) {
      for (const all of [true, false]) {
        const { error } = await lookUp(hostname, all);
        expect(error).toBeInstanceOf(RefusedAddressError);
        expect(error?.message).toBe(message);
      }
    }
  });

  it("passes a resolver's own failure on", async () => {
    const { error } = await lookUp("nowhere.example.com", false);
    expect(error).not.toBeInstanceOf(RefusedAddressError);
    expect(error).toMatchObject({ code: "ENOTFOUND" });
  });
});

describe("IP literals (net.connect does not look them up)", () => {
  it.each([
    ["127.0.0.1", "a loopback address (127.0.0.1)"],
    ["[::1]", "a loopback address (::1)"],
    ["::1", "a loopback address (::1)"],
    ["[::ffff:7f00:1]", "a loopback address (::ffff:7f00:1)"],
    ["10.0.0.5", "a private address (10.0.0.5)"],
    ["169.254.169.254", "a link-local address (169.254.169.254)"],
    ["[fe80::1]", "a link-local address (fe80::1)"],
    ["0.0.0.0", "an unspecified address (0.0.0.0)"],
  ])("%s is refused", (hostname, what) => {
    expect(refusedLiteral(hostname)).toBe(`The endpoint is ${what}, which this studio does not allow.`);
  });

  it.each(["8.8.8.8", "[2606:4700:4700::1111]", "models.example.com", "localhost"])(
    "%s is not refused here",
    (hostname) => {
      expect(refusedLiteral(hostname)).toBeNull();
    },
  );
});
