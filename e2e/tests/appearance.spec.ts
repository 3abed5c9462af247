import { expect, type Page, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { test as workerTest } from "../support/fixtures.ts";
import { accountMenu, newUser, signUp, snap } from "../support/studio.ts";

const html = (page: Page) => page.locator("html");

/** Each main page and something on it that only shows once its data has loaded. */
const pages = [
  { path: "/", name: "studio", ready: (page: Page) => page.getByText("Idle timeout") },
  { path: "/settings/profile", name: "profile", ready: (page: Page) => page.getByLabel("Current password") },
  {
    path: "/settings/organization",
    name: "organization",
    ready: (page: Page) => page.getByLabel("Organisation name"),
  },
  {
    path: "/settings/members",
    name: "members",
    ready: (page: Page) => page.getByRole("table").getByRole("row").nth(1),
  },
  {
    path: "/settings/api-tokens",
    name: "api-tokens",
    ready: (page: Page) => page.getByText("No API tokens yet"),
  },
];

test.describe("dark system preference", () => {
  test.use({ colorScheme: "dark" });

  test("the theme follows the system until the toggle overrides it", async ({ page }, testInfo) => {
    await page.goto("/sign-in");
    await expect(html(page)).toHaveClass(/\bdark\b/);
    await snap(page, testInfo, "sign-in-dark");
    await expectNoSeriousA11yViolations(page, "sign-in (dark)");

    await signUp(page, newUser("night"));
    for (const { path, name, ready } of pages) {
      await page.goto(path);
      await expect(ready(page)).toBeVisible();
      await snap(page, testInfo, `${name}-dark`);
      await expectNoSeriousA11yViolations(page, `${path} (dark)`);
    }

    await accountMenu(page).click();
    await snap(page, testInfo, "account-menu-dark");
    await page.getByRole("menuitemradio", { name: "Light theme" }).click();
    await expect(html(page)).not.toHaveClass(/\bdark\b/);
    await page.reload();
    await expect(html(page)).not.toHaveClass(/\bdark\b/);

    await accountMenu(page).click();
    await expect(page.getByRole("menuitemradio", { name: "Light theme" })).toHaveAttribute(
      "aria-checked",
      "true",
    );
    await page.getByRole("menuitemradio", { name: "System theme" }).click();
    await expect(html(page)).toHaveClass(/\bdark\b/);
  });
});

test.describe("phone", () => {
  test.use({ viewport: { width: 375, height: 812 } });

  test("every main page fits a 375 px wide screen", async ({ page }, testInfo) => {
    await page.goto("/sign-up");
    await snap(page, testInfo, "sign-up-phone");
    await expectNoSeriousA11yViolations(page, "sign-up (phone)");
    await signUp(page, newUser("phone"));

    for (const { path, name, ready } of pages) {
      await page.goto(path);
      await expect(ready(page)).toBeVisible();
      const width = await page.evaluate<number>("document.documentElement.scrollWidth");
      expect(width, `${path} scrolls sideways`).toBeLessThanOrEqual(375);
      await snap(page, testInfo, `${name}-phone`);
      await expectNoSeriousA11yViolations(page, `${path} (phone)`);
    }

    await page.getByRole("button", { name: "Open navigation" }).click();
    const drawer = page.getByRole("dialog", { name: "Navigation" });
    await expect(drawer.getByRole("link", { name: "Studio" })).toBeVisible();
    await snap(page, testInfo, "navigation-drawer-phone");
    await drawer.getByRole("link", { name: "Studio" }).click();
    await expect(drawer).toBeHidden();
    await expect(page.getByRole("heading", { level: 1, name: "Studio" })).toBeVisible();
  });
});

workerTest.describe("large screen, light theme", () => {
  workerTest.use({ viewport: { width: 1600, height: 1000 }, colorScheme: "light" });

  workerTest(
    "every main page has no serious accessibility violation",
    async ({ page, browser }, testInfo) => {
      // Signed out: a context of its own. Signed in: the worker's account, seeded through the API.
      const outside = await browser.newContext({
        viewport: { width: 1600, height: 1000 },
        colorScheme: "light",
        storageState: { cookies: [], origins: [] },
      });
      const signedOut = await outside.newPage();
      await signedOut.goto("/sign-in");
      await expectNoSeriousA11yViolations(signedOut, "sign-in");
      await signedOut.goto("/sign-up");
      await expectNoSeriousA11yViolations(signedOut, "sign-up");
      await outside.close();
      for (const { path, name, ready } of pages) {
        await page.goto(path);
        await expect(ready(page)).toBeVisible();
        await expectNoSeriousA11yViolations(page, path);
        if (path === "/") await snap(page, testInfo, `${name}-large`);
      }
    },
  );
});
