import { expect, test } from "@playwright/test";
import {
  createOrganizationThroughSwitcher,
  newUser,
  organizationSwitcher,
  personalOrganization,
  signUp,
  snap,
} from "../support/studio.ts";

test("creating a second organisation and switching between them", async ({ page }, testInfo) => {
  const user = newUser("switcher");
  const personal = personalOrganization(user);
  await signUp(page, user);
  const team = await createOrganizationThroughSwitcher(page, `Team ${user.name.split(" ")[1]}`);
  await expect(organizationSwitcher(page)).toContainText("Owner");

  await page.goto("/settings/organization");
  await expect(page.getByLabel("Organisation name")).toHaveValue(team);

  await organizationSwitcher(page).click();
  await expect(page.getByRole("menuitemradio", { name: team })).toHaveAttribute("aria-checked", "true");
  await expect(page.getByRole("menuitemradio", { name: personal })).toHaveAttribute("aria-checked", "false");
  await snap(page, testInfo, "organization-switcher-open");
  await page.getByRole("menuitemradio", { name: personal }).click();

  await expect(organizationSwitcher(page)).toContainText(personal);
  await expect(page.getByLabel("Organisation name")).toHaveValue(personal);
  await expect(page.getByText("Personal", { exact: true })).toBeVisible();

  await organizationSwitcher(page).click();
  await page.getByRole("menuitemradio", { name: team }).click();
  await expect(organizationSwitcher(page)).toContainText(team);
  await expect(page.getByLabel("Organisation name")).toHaveValue(team);

  // The choice belongs to the session, so it survives a reload.
  await page.reload();
  await expect(organizationSwitcher(page)).toContainText(team);
});

test("owners edit organisation settings; invalid values are explained next to the field", async ({
  page,
}, testInfo) => {
  const user = newUser("settings");
  await signUp(page, user);
  const team = await createOrganizationThroughSwitcher(page, `Settings ${user.name.split(" ")[1]}`);
  await page.goto("/settings/organization");

  await page.getByLabel("Organisation name").fill("X");
  await page.getByLabel("Idle timeout").fill("0");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Use at least 2 characters.")).toBeVisible();
  await expect(page.getByLabel("Organisation name")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Idle timeout")).toHaveAttribute("aria-invalid", "true");
  await snap(page, testInfo, "organization-settings-errors");

  await page.getByLabel("Organisation name").fill(`${team} Labs`);
  await page.getByLabel("Idle timeout").fill("45");
  await page.getByRole("radio", { name: /Allow automatically/ }).check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Organisation settings saved.")).toBeVisible();
  await expect(organizationSwitcher(page)).toContainText(`${team} Labs`);

  await page.reload();
  await expect(page.getByLabel("Organisation name")).toHaveValue(`${team} Labs`);
  await expect(page.getByLabel("Idle timeout")).toHaveValue("45");
  await expect(page.getByRole("radio", { name: /Allow automatically/ })).toBeChecked();
  await snap(page, testInfo, "organization-settings");
});
