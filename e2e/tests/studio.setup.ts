import { expect, test as setup } from "@playwright/test";
import { localOnly } from "../support/local-only.ts";
import { newUser, signUp } from "../support/studio.ts";

localOnly(
  "studio.setup.ts",
  "checks that a new studio's first account is its platform admin; a deployment has its own",
);

// Runs before every other test (the "setup" project), on the run's new studio: so its first account
// is this one, and no test's account becomes a platform admin by signing up early.
setup("the first account of a new studio is its platform admin", async ({ page }) => {
  await signUp(page, newUser("founder"));
  await page.goto("/settings/billing");
  await expect(page.getByRole("button", { name: "Grant or adjust" })).toBeVisible();
  await expect(
    page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "All organisations" }),
  ).toBeVisible();
});
