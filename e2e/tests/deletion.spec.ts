import { expect, test } from "@playwright/test";
import {
  createOrganization,
  newUser,
  organizationSwitcher,
  personalOrganization,
  signIn,
  signUp,
  snap,
} from "../support/studio.ts";

test("an owner deletes an organisation, then their account, from Settings", async ({ page }, testInfo) => {
  const user = newUser("deleter");
  await signUp(page, user);
  const team = await createOrganization(page, `Short-lived ${user.name}`);

  await page.goto("/settings/organization");
  const zone = page.getByRole("region", { name: "Delete organisation" });
  await zone.getByRole("button", { name: "Delete organisation" }).click();
  const dialog = page.getByRole("dialog", { name: `Delete ${team}?` });
  await dialog.getByLabel(`Type ${team} to confirm`).fill("Short-lived");
  await dialog.getByRole("button", { name: "Delete organisation" }).click();
  await expect(dialog.getByText(`Type the organisation's name, ${team}, exactly as shown.`)).toBeVisible();
  await dialog.getByLabel(`Type ${team} to confirm`).fill(team);
  await snap(page, testInfo, "delete-organization-dialog");
  await dialog.getByRole("button", { name: "Delete organisation" }).click();
  await expect(dialog).toBeHidden();
  await expect(organizationSwitcher(page)).toContainText(personalOrganization(user));
  await organizationSwitcher(page).click();
  await expect(page.getByRole("menuitem", { name: new RegExp(team) })).toHaveCount(0);
  await page.keyboard.press("Escape");

  // A personal workspace goes with the account: its card says so and offers no button.
  await page.goto("/settings/organization");
  await expect(page.getByRole("region", { name: "Delete organisation" })).toContainText(
    "It is deleted with your account",
  );
  await expect(page.getByRole("button", { name: "Delete organisation" })).toHaveCount(0);

  await page.goto("/settings/profile");
  await page
    .getByRole("region", { name: "Delete account" })
    .getByRole("button", { name: "Delete account" })
    .click();
  const confirm = page.getByRole("dialog", { name: "Delete your account?" });
  await confirm.getByLabel("Your password").fill("not my password");
  await confirm.getByRole("button", { name: "Delete account" }).click();
  await expect(confirm.getByRole("alert")).toHaveText("Your password is not correct.");
  await snap(page, testInfo, "delete-account-wrong-password");
  await confirm.getByLabel("Your password").fill(user.password);
  await confirm.getByRole("button", { name: "Delete account" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);

  await signIn(page, user);
  await expect(page.getByRole("alert")).toHaveText("Wrong email or password.");
});
