import { randomUUID } from "node:crypto";
import { type Browser, chromium, expect, test } from "@playwright/test";

// DNS rebinding, in Chromium: a page at rebind.test, whose name then resolves to the studio's
// machine (Chromium's host resolver rules stand in for the attacker's DNS), calls the studio
// "same-origin". The studio answers to its own names only, so nothing the page sends runs. Valid
// against any deployment: the rebound name points at whatever address the studio's URL resolves to.

const ATTACKER = "rebind.test";

let rebound: Browser;

test.beforeAll(async ({ baseURL }, testInfo) => {
  const studio = new URL(baseURL!);
  const target = studio.hostname === "localhost" ? "127.0.0.1" : studio.hostname;
  const launch = testInfo.project.use.launchOptions ?? {};
  rebound = await chromium.launch({
    ...launch,
    args: [
      ...(launch.args ?? []),
      `--host-resolver-rules=MAP ${ATTACKER} ${target}`,
      // Recent Chromium refuses a public page's requests to loopback addresses on its own (Local
      // Network Access); other browsers, older versions and pages already on a private network do
      // not. Off here, so what is shown is the studio's own refusal.
      "--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessRespectPreflightResults,BlockInsecurePrivateNetworkRequests",
    ],
  });
});

test.afterAll(async () => {
  await rebound?.close();
});

/** The attacker's page on the studio's port and scheme, under the attacker's name. */
function attackerOrigin(baseURL: string): string {
  const studio = new URL(baseURL);
  studio.hostname = ATTACKER;
  return studio.origin;
}

test("a page whose name is rebound to the studio cannot call its API", async ({ baseURL, request }) => {
  const origin = attackerOrigin(baseURL!);
  const context = await rebound.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  // The attacker's server serves the page first; only later does the name point at the studio.
  await page.route(`${origin}/attack`, (route) =>
    route.fulfill({ contentType: "text/html", body: "<!doctype html><title>Totally harmless</title>" }),
  );
  await page.goto(`${origin}/attack`);

  const email = `rebind-${randomUUID().slice(0, 8)}@example.test`;
  const results = await page.evaluate(async (email) => {
    const call = async (path: string, init?: RequestInit) => {
      try {
        const response = await fetch(path, init);
        return { status: response.status, body: (await response.text()).slice(0, 200) };
      } catch (error) {
        return { status: 0, body: String(error) };
      }
    };
    return {
      health: await call("/api/health"),
      me: await call("/api/trpc/auth.me"),
      signUp: await call("/api/trpc/auth.signUp", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ json: { name: "Rebinder", email, password: "correct horse battery" } }),
      }),
    };
  }, email);

  const local = ["localhost", "127.0.0.1", "[::1]"].includes(new URL(baseURL!).hostname);
  for (const [call, result] of Object.entries(results)) {
    // Through a proxy of a QA deployment another refusal may come first; the studio itself says 421.
    expect(result.status, `${call}: ${result.body}`).not.toBe(200);
    if (local) expect(result.status, `${call}: ${result.body}`).toBe(421);
  }
  // The account was never created: signing in with it fails.
  const signIn = await request.post("/api/trpc/auth.signIn", {
    headers: { origin: new URL(baseURL!).origin },
    data: { json: { email, password: "correct horse battery" } },
  });
  expect(signIn.ok()).toBe(false);

  // Nor does the studio's own app load under that name.
  const direct = await page.goto(`${origin}/`);
  expect(direct?.status()).not.toBe(200);
  if (local) expect(await page.textContent("body")).toContain("not served under that name");
  await context.close();
});

test("the studio under its own name still works in the same browser", async ({ baseURL }) => {
  const context = await rebound.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(`${baseURL}/sign-in`);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  const health = await page.evaluate(async () => (await fetch("/api/health")).status);
  expect(health).toBe(200);
  await context.close();
});
