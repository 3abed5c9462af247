import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { LOCAL_TAG, localOnly } from "../support/local-only.ts";
import { makePlatformAdmin } from "../support/platform.ts";
import { newUser, personalOrganization, signUp, snap } from "../support/studio.ts";

localOnly("platform-admin.spec.ts", "runs `pnpm platform-admin` on the studio's machine");

test(
  "a platform admin finds an organisation by its owner's email and grants it credits",
  { tag: LOCAL_TAG },
  async ({ page, browser }, testInfo) => {
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
  },
);

test(
  "a platform admin changes a list price, and every organisation without its own is charged it",
  { tag: LOCAL_TAG },
  async ({ page, browser }, testInfo) => {
    const owner = newUser("listed");
    const tenant = await (await browser.newContext()).newPage();
    await signUp(tenant, owner);

    const operator = newUser("pricer");
    await signUp(page, operator);
    await makePlatformAdmin(operator.email);
    await page.goto("/settings");
    await page
      .getByRole("navigation", { name: "Settings" })
      .getByRole("link", { name: "List prices" })
      .click();
    await expect(page).toHaveURL(/\/settings\/list-prices$/);
    await expect(page.getByRole("heading", { name: "List prices" })).toBeVisible();

    // No other test prices Gemini 2.5 Pro, so nothing else is charged differently for this change.
    const table = page.getByRole("table", { name: "Model prices in USD per million tokens" });
    const gemini = table.getByRole("row", { name: /^Gemini 2\.5 Pro/ });
    // Every row is a list price here: no column says so.
    await expect(table.getByRole("columnheader", { name: "Source" })).toHaveCount(0);
    await gemini.getByRole("button", { name: "Edit price for Gemini 2.5 Pro" }).click();
    const edit = page.getByRole("dialog", { name: "Edit list price: Gemini 2.5 Pro" });
    await expect(edit).toContainText("every organisation without its own price");
    await edit.getByLabel("Input", { exact: true }).fill("1.75");
    await edit.getByLabel("Output").fill("11.5");
    await edit.getByLabel("Cached input").fill("0.175");
    await edit.getByRole("button", { name: "Save price" }).click();
    await expect(edit).toBeHidden();
    await expect(page.getByText("New price for Gemini 2.5 Pro in force.")).toBeVisible();
    await expect(gemini).toContainText("$1.75");
    await expect(gemini).toContainText("$11.50");
    await gemini.getByRole("button", { name: "History for Gemini 2.5 Pro" }).click();
    // The price it replaces stays on record.
    const history = page.getByRole("table", { name: "Price history for Gemini 2.5 Pro" });
    await expect(history).toContainText("$1.25");
    await expect(history).toContainText("(in force)");
    await expect(history).toContainText(`Platform, by ${operator.name}`);
    await snap(page, testInfo, "platform-list-prices");
    await expectNoSeriousA11yViolations(page, "list prices");

    // The tenant is charged the new list price, and cannot change it.
    await tenant.goto("/settings/billing");
    const seen = tenant
      .getByRole("table", { name: "Model prices in USD per million tokens" })
      .getByRole("row", { name: /^Gemini 2\.5 Pro/ });
    await expect(seen).toContainText("$1.75");
    await expect(seen).toContainText("Platform list price");
    await tenant.goto("/settings/list-prices");
    await expect(tenant.getByText("For platform admins")).toBeVisible();
    await tenant.context().close();
  },
);
