import { expect, test } from "@playwright/test";
import { accountMenu, newUser, signIn, signUp, snap } from "../support/studio.ts";

test("renaming yourself and changing your password", async ({ page }, testInfo) => {
  const user = newUser("profile");
  await signUp(page, user);
  await page.goto("/settings/profile");

  await page.getByLabel("Name").fill(`${user.name} Jr`);
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(accountMenu(page)).toContainText(`${user.name} Jr`);

  const password = page.getByRole("region", { name: "Password" });
  await password.getByLabel("Current password").fill("definitely wrong");
  await password.getByLabel("New password", { exact: true }).fill("short");
  await password.getByLabel("Confirm new password").fill("short");
  await password.getByRole("button", { name: "Change password" }).click();
  await expect(password.getByText("Use at least 10 characters.")).toBeVisible();

  const next = "an even longer passphrase";
  await password.getByLabel("New password", { exact: true }).fill(next);
  await password.getByLabel("Confirm new password").fill(`${next}!`);
  await password.getByRole("button", { name: "Change password" }).click();
  await expect(password.getByText("The passwords don't match.")).toBeVisible();

  await password.getByLabel("Confirm new password").fill(next);
  await password.getByRole("button", { name: "Change password" }).click();
  await expect(password.getByRole("alert")).toHaveText("Your current password is not correct.");
  await snap(page, testInfo, "profile-password-error");

  await password.getByLabel("Current password").fill(user.password);
  await password.getByRole("button", { name: "Change password" }).click();
  await expect(password.getByText("Password changed.")).toBeVisible();

  await accountMenu(page).click();
  await page.getByRole("menuitem", { name: "Sign out of all devices" }).click();
  await page
    .getByRole("dialog", { name: "Sign out of all devices?" })
    .getByRole("button", { name: "Sign out everywhere" })
    .click();
  await expect(page).toHaveURL(/\/sign-in$/);

  await signIn(page, { ...user, password: next });
  await expect(accountMenu(page)).toContainText(`${user.name} Jr`);
});
