import { expect, test } from "@playwright/test";
import {
  createOrganization,
  fillSignUp,
  newUser,
  organizationSwitcher,
  signUp,
  snap,
} from "../support/studio.ts";

test("an admin invites someone who signs up through the link and joins", async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  const admin = newUser("admin");
  const invitee = newUser("invitee");
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  await signUp(page, admin);
  const organization = await createOrganization(page, `Acme ${admin.name.split(" ")[1]}`);

  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Members" }).click();
  await page.getByLabel("Email address").fill(invitee.email);
  await page.getByRole("button", { name: "Invite", exact: true }).click();

  const linkField = page.getByRole("textbox", { name: "Invitation link" });
  await expect(linkField).toHaveValue(/\/invite\/[a-z2-7]{32}$/);
  await page.getByRole("button", { name: "Copy invitation link" }).click();
  await expect(page.getByRole("button", { name: "Copy invitation link" })).toContainText("Copied");
  const link = await page.evaluate<string>("navigator.clipboard.readText()");
  expect(link).toBe(await linkField.inputValue());
  const invitations = page.getByRole("list", { name: "Invitations" });
  await expect(invitations.getByRole("listitem").filter({ hasText: invitee.email })).toContainText("Pending");
  await snap(page, testInfo, "members-with-invitation");

  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  await guest.goto(link);
  await expect(guest.getByRole("heading", { name: `Join ${organization}` })).toBeVisible();
  await expect(guest.getByText(`${admin.name} invited you to join`)).toBeVisible();
  await snap(guest, testInfo, "invitation-signed-out");

  await guest.getByRole("link", { name: "Create account" }).click();
  await expect(guest.getByLabel("Email")).toHaveValue(invitee.email);
  await fillSignUp(guest, invitee);
  await expect(guest.getByRole("heading", { name: `Join ${organization}` })).toBeVisible();
  await expect(guest.getByText(`Signed in as ${invitee.email}`)).toBeVisible();
  await snap(guest, testInfo, "invitation-ready-to-accept");
  await guest.getByRole("button", { name: "Accept invitation" }).click();
  await expect(guest.getByRole("heading", { level: 1, name: "Studio" })).toBeVisible();
  await expect(organizationSwitcher(guest)).toContainText(organization);
  await expect(organizationSwitcher(guest)).toContainText("Member");

  // Members see the organisation's settings but cannot change them, and cannot invite.
  await guest.goto("/settings/organization");
  await expect(guest.getByText("Only owners and admins can change these settings.")).toBeVisible();
  await expect(guest.getByLabel("Organisation name")).toBeDisabled();
  await expect(guest.getByRole("button", { name: "Save changes" })).toHaveCount(0);
  await snap(guest, testInfo, "organization-settings-read-only");
  await guest.goto("/settings/members");
  await expect(guest.getByRole("table").getByRole("row").filter({ hasText: admin.email })).toBeVisible();
  await expect(guest.getByRole("heading", { name: "Invitations" })).toHaveCount(0);

  // The link is spent now.
  await guest.goto(link);
  await expect(guest.getByText("Invitation already accepted")).toBeVisible();
  await guestContext.close();

  await page.reload();
  const members = page.getByRole("table");
  await expect(members.getByRole("row").filter({ hasText: invitee.email })).toBeVisible();
  const role = members.getByRole("combobox", { name: `Role for ${invitee.name}` });
  await expect(role).toHaveValue("member");
  await role.selectOption("admin");
  await expect(page.getByText(`${invitee.name} is now admin.`)).toBeVisible();
  await page.reload();
  await expect(role).toHaveValue("admin");
  await expect(invitations.getByRole("listitem").filter({ hasText: invitee.email })).toContainText(
    "Accepted",
  );
  await snap(page, testInfo, "members-after-join");
});

test("an invitation link explains why it cannot be used", async ({ page }, testInfo) => {
  const admin = newUser("owner");
  const invitee = newUser("someone");
  await signUp(page, admin);
  await page.goto("/settings/members");
  await page.getByLabel("Email address").fill("not-an-email");
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  await expect(page.getByText("Enter a valid email address.")).toBeVisible();
  await expect(page.getByLabel("Email address")).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Email address").fill(invitee.email);
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  const link = await page.getByRole("textbox", { name: "Invitation link" }).inputValue();

  // Signed in as someone else than the invitation names.
  await page.goto(link);
  await expect(page.getByText("This invitation is for another account")).toBeVisible();
  await expect(page.getByRole("button", { name: "Accept invitation" })).toHaveCount(0);
  await snap(page, testInfo, "invitation-wrong-account");

  await page.goto("/settings/members");
  await page.getByRole("button", { name: `Revoke invitation for ${invitee.email}` }).click();
  const row = page
    .getByRole("list", { name: "Invitations" })
    .getByRole("listitem")
    .filter({ hasText: invitee.email });
  await expect(row).toContainText("Revoked");

  await page.goto(link);
  await expect(page.getByText("Invitation revoked")).toBeVisible();
  await page.goto("/invite/thisisnotavalidtokenatallreally");
  await expect(page.getByText("This invitation link doesn't work")).toBeVisible();
});
