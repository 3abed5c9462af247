// Saving an organisation's custom endpoint: a URL of the wrong form is refused under either policy;
// under "deny" one that is, or resolves to, a special address is refused too, naming why, and
// nothing is written. Names other than localhost are resolved by a stand-in: nothing here connects.
import { rowCounts, seedSessionRow } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { AppError } from "../shared/errors.ts";
import { newKeyring } from "./keyring.ts";
import { type EndpointRules, setProviderKey } from "./provider-keys.ts";
import type { ResolveHost } from "./tenant-endpoint.ts";

const database = useTestDatabase();
const keyring = newKeyring();

const DNS: Record<string, string[]> = {
  "models.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
  "metadata.example.com": ["169.254.169.254"],
  // One private address among public ones is enough to refuse.
  "split.example.com": ["93.184.216.34", "10.0.0.5"],
};
const standInDns: ResolveHost = async (hostname) => {
  const addresses = DNS[hostname];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
  return addresses;
};
const deny: EndpointRules = { privateNetwork: "deny", resolve: standInDns };
const allow: EndpointRules = { privateNetwork: "allow", resolve: standInDns };

async function owner() {
  const { userId, organizationId } = await seedSessionRow(database.db);
  return { userId, organizationId, role: "owner" as const };
}

async function expectRefused(baseUrl: string, rules: EndpointRules, message: string | RegExp) {
  const actor = await owner();
  const before = await rowCounts(database.db);
  const error = await setProviderKey(
    database.db,
    keyring,
    actor,
    { provider: "custom", baseUrl },
    rules,
  ).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error, baseUrl).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("BAD_REQUEST");
  expect((error as AppError).message).toMatch(message);
  expect(await rowCounts(database.db)).toEqual(before);
}

async function expectSaved(baseUrl: string, rules: EndpointRules) {
  const saved = await setProviderKey(
    database.db,
    keyring,
    await owner(),
    { provider: "custom", baseUrl },
    rules,
  );
  expect(saved.baseUrl).toBe(baseUrl.replace(/\/+$/, ""));
}

describe("saving a custom endpoint", () => {
  it("refuses a query string, a fragment, credentials or another scheme under either policy", async () => {
    for (const rules of [allow, deny]) {
      await expectRefused("http://127.0.0.1:8080/admin?x=", rules, /cannot have a query string/);
      await expectRefused("http://models.example.com/v1?", rules, /cannot have a query string/);
      await expectRefused("http://models.example.com/v1#top", rules, /cannot have a fragment/);
      await expectRefused("http://me:secret@models.example.com/v1", rules, /no user name or password/);
      await expectRefused("ftp://models.example.com/v1", rules, /http\(s\) URL/);
    }
  });

  it("under deny, refuses special addresses written as literals, naming the class and address", async () => {
    const refusals: [string, string][] = [
      ["http://127.0.0.1:11434/v1", "a loopback address (127.0.0.1)"],
      ["http://[::1]:11434/v1", "a loopback address (::1)"],
      ["http://[::ffff:127.0.0.1]/v1", "a loopback address (::ffff:7f00:1)"],
      ["http://0x7f.1/v1", "a loopback address (127.0.0.1)"],
      ["http://10.0.0.5/v1", "a private address (10.0.0.5)"],
      ["http://[fd00::5]/v1", "a private address (fd00::5)"],
      ["http://169.254.169.254/latest/meta-data", "a link-local address (169.254.169.254)"],
      ["http://100.64.1.2/v1", "a carrier-grade NAT address (100.64.1.2)"],
      ["http://0.0.0.0:8080/v1", "an unspecified address (0.0.0.0)"],
      ["http://224.0.0.1/v1", "a multicast address (224.0.0.1)"],
      ["http://255.255.255.255/v1", "a broadcast address (255.255.255.255)"],
    ];
    for (const [url, what] of refusals) {
      await expectRefused(url, deny, `The endpoint is ${what}, which this studio does not allow.`);
    }
  });

  it("under deny, refuses a name that resolves to a special address, or does not resolve", async () => {
    // The system's own resolver: localhost is this machine.
    await expectRefused(
      "http://localhost:11434/v1",
      { privateNetwork: "deny" },
      /^The endpoint localhost resolves to a loopback address \((127\.0\.0\.1|::1)\), which this studio does not allow\.$/,
    );
    await expectRefused(
      "http://metadata.example.com/v1",
      deny,
      "The endpoint metadata.example.com resolves to a link-local address (169.254.169.254), which this studio does not allow.",
    );
    await expectRefused(
      "https://split.example.com/v1",
      deny,
      /resolves to a private address \(10\.0\.0\.5\)/,
    );
    await expectRefused(
      "https://nowhere.example.com/v1",
      deny,
      "The endpoint's host nowhere.example.com could not be found.",
    );
  });

  it("under deny, saves a public endpoint; under allow, saves private and loopback ones", async () => {
    await expectSaved("https://models.example.com/v1/", deny);
    await expectSaved("http://[2606:4700:4700::1111]/v1", deny);
    await expectSaved("http://127.0.0.1:11434/v1", allow);
    await expectSaved("http://localhost:11434/v1", allow);
    await expectSaved("http://10.0.0.5/v1", allow);
    await expectSaved("http://metadata.example.com/v1", allow);
  });
});
