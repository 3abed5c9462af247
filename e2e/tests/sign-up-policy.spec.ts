import { expect, test } from "@playwright/test";
import { invitationOnlyURL } from "../playwright.config.ts";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { addMember, fillSignUp, newUser, snap } from "../support/studio.ts";

// Its own studio (SIGN_UPS=invitation), started by the config for this file alone.
test.use({ baseURL: invitationOnlyURL });

test("a studio that takes accounts by invitation says so, refuses strangers and lets the invited in", async ({
  page,
  browser,
}, testInfo) => {
  // Whoever sets the studio up signs up first, and is told of no restriction.
  const founder = newUser("founder");
  await page.goto("/sign-up");
  await expect(page.getByText("Accounts here are by invitation")).toHaveCount(0);
  await fillSignUp(page, founder);
  await expect(page.getByRole("heading", { level: 1, name: "Studio" })).toBeVisible();

  // Someone nobody invited hears it before filling the form, and again if they try.
  const stranger = await (await browser.newContext()).newPage();
  await stranger.goto("/sign-up");
  await expect(stranger.getByText("Accounts here are by invitation")).toBeVisible();
  await expect(stranger.getByText("Ask someone in your organisation to invite you")).toBeVisible();
  await snap(stranger, testInfo, "sign-up-invitation-only");
  await expectNoSeriousA11yViolations(stranger, "sign-up (invitation only)");
  await fillSignUp(stranger, newUser("stranger"));
  await expect(stranger.getByRole("alert")).toHaveText(
    "New accounts on this studio need an invitation. Ask someone in your organisation to invite this email address.",
  );
  await expect(stranger).toHaveURL(/\/sign-up$/);
  await snap(stranger, testInfo, "sign-up-refused");
  await stranger.context().close();

  // Invited: the account is made and the invitation accepted.
  const invited = newUser("invited");
  const member = await addMember(page, browser, invited);
  await page.reload();
  await expect(page.getByRole("table")).toContainText(invited.name);
  await member.context().close();
});
