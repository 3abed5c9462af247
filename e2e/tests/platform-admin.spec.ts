import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { makePlatformAdmin } from "../support/platform.ts";
import { newUser, personalOrganization, signUp, snap } from "../support/studio.ts";

test("a platform admin finds an organisation by its owner's email and grants it credits", async ({
  page,
  browser,
}, testInfo) => {
  // Someone with an organisation of their own and no credits.
  const owner = newUser("tenant");
  const tenant = await (await browser.newContext()).newPage();
  await signUp(tenant, owner);
  await tenant.goto("/settings/billing");
  await expect(tenant.getByTestId("credit-balance")).toHaveText("$0.00");

  const operator = newUser("operator");
  await signUp(page, operator);
  await makePlatformAdmin(operator.email);
  await page.goto("/settings");
  await page
    .getByRole("navigation", { name: "Settings" })
    .getByRole("link", { name: "All organisations" })
    .click();
  await expect(page).toHaveURL(/\/settings\/platform$/);
  await expect(page.getByRole("heading", { name: "All organisations" })).toBeVisible();

  const search = page.getByRole("searchbox", { name: "Search organisations by name or owner email" });
  await search.fill(owner.email);
  const rows = page.getByTestId("platform-organization");
  await expect(rows).toHaveCount(1);
  const row = rows.first();
  await expect(row).toContainText(personalOrganization(owner));
  await expect(row).toContainText("Personal");
  await expect(row).toContainText("$0.00");
  await snap(page, testInfo, "platform-organizations");
  await expectNoSeriousA11yViolations(page, "all organisations");

  await row
    .getByRole("button", { name: `Grant or adjust credits of ${personalOrganization(owner)}` })
    .click();
  const dialog = page.getByRole("dialog", { name: "Grant or adjust credits" });
  await expect(dialog).toContainText(personalOrganization(owner));
  await dialog.getByLabel("Amount (USD)").fill("5");
  await dialog.getByLabel("Reason").fill("Welcome credits");
  await dialog.getByRole("button", { name: "Grant credits" }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText("$5.00");

  // Nothing matches: said so, not an empty table.
  await search.fill("no organisation has this name");
  await expect(page.getByText("No organisation matches")).toBeVisible();
  await snap(page, testInfo, "platform-organizations-none");

  // The owner sees the grant, and cannot open the page.
  await tenant.reload();
  await expect(tenant.getByTestId("credit-balance")).toHaveText("$5.00");
  await tenant.goto("/settings/platform");
  await expect(tenant.getByText("For platform admins")).toBeVisible();
  await tenant.context().close();
});
