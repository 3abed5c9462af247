import { expect, test } from "@playwright/test";
import { createStudioClient } from "@studio/client";
import { accountMenu, newUser, signIn, signUp, snap } from "../support/studio.ts";

test("renaming yourself, changing your password, and ending every session and API token", async ({
  page,
  baseURL,
}, testInfo) => {
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
  await expect(password.getByLabel("Also revoke my API tokens")).not.toBeChecked();
  await password.getByRole("button", { name: "Change password" }).click();
  await expect(password.getByRole("status")).toHaveText(
    "Password changed. No other sessions were signed in; API tokens keep working.",
  );

  // An API token, then "sign out everywhere" with the offer to revoke tokens taken.
  await page.goto("/settings/api-tokens");
  await page.getByRole("button", { name: "Create token" }).click();
  const create = page.getByRole("dialog", { name: "Create API token" });
  await create.getByLabel("Token name").fill("laptop script");
  await create.getByRole("button", { name: "Create token" }).click();
  const reveal = page.getByRole("dialog", { name: "Copy your new token" });
  const token = await reveal.getByRole("textbox", { name: "API token" }).inputValue();
  await reveal.getByRole("button", { name: "Done" }).click();
  const client = createStudioClient({ url: baseURL!, token });
  expect((await client.auth.me.query())?.user.email).toBe(user.email);

  await accountMenu(page).click();
  await page.getByRole("menuitem", { name: "Sign out of all devices" }).click();
  const dialog = page.getByRole("dialog", { name: "Sign out of all devices?" });
  await dialog.getByLabel("Also revoke my API tokens").check();
  await snap(page, testInfo, "sign-out-everywhere-with-tokens");
  await dialog.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  const notifications = page.getByRole("region", { name: /^Notifications/ });
  await expect(notifications.getByRole("listitem").filter({ hasText: "Signed out of" })).toHaveText(
    "Signed out of 1 session; 1 API token revoked.",
  );
  await expect(client.auth.me.query()).resolves.toBeNull();

  await signIn(page, { ...user, password: next });
  await expect(accountMenu(page)).toContainText(`${user.name} Jr`);
});
