import { expect, test } from "@playwright/test";
import {
  accountMenu,
  newUser,
  organizationSwitcher,
  personalOrganization,
  signIn,
  signUp,
  signUpThroughForm,
  snap,
} from "../support/studio.ts";

test("signing up lands in the studio with a personal organisation", async ({ page }, testInfo) => {
  const user = newUser("ada");
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
  await snap(page, testInfo, "sign-in");

  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await snap(page, testInfo, "sign-up");

  await signUpThroughForm(page, user);
  await expect(page).toHaveURL(/\/$/);
  await expect(organizationSwitcher(page)).toContainText(personalOrganization(user));
  await expect(organizationSwitcher(page)).toContainText("Owner");
  await expect(accountMenu(page)).toContainText(user.email);
  await snap(page, testInfo, "studio");
});

test("signing out and back in", async ({ page }) => {
  const user = newUser("grace");
  await signUp(page, user);

  await accountMenu(page).click();
  await page.getByRole("menuitem", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/settings/profile");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fsettings%2Fprofile$/);

  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/settings\/profile$/);
  await expect(page.getByLabel("Name")).toHaveValue(user.name);
});

test("a wrong password is refused with a clear message", async ({ page }, testInfo) => {
  const user = newUser("linus");
  await signUp(page, user);
  await accountMenu(page).click();
  await page.getByRole("menuitem", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in$/);

  await signIn(page, { ...user, password: "not the password" });
  await expect(page.getByRole("alert")).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/sign-in$/);
  await snap(page, testInfo, "sign-in-wrong-password");
});
