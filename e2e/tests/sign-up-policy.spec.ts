import { expect, test } from "@playwright/test";
import { invitationOnlyURL } from "../playwright.config.ts";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { LOCAL_TAG, localOnly } from "../support/local-only.ts";
import { fillSignUp, newUser, snap } from "../support/studio.ts";

localOnly("sign-up-policy.spec.ts", "starts a second studio with SIGN_UPS=invitation beside this one");

// Every refusal reads the same, so sign-up tells no one who has an account or an invitation.
const REFUSAL =
  "We couldn't create an account with these details. New accounts here need an invitation: open the link in yours and use the address it was sent to. If you already have an account, sign in instead.";

// Its own studio (SIGN_UPS=invitation), started by the config for this file alone.
test.use({ baseURL: invitationOnlyURL });

test(
  "a studio that takes accounts by invitation says so, refuses strangers and lets in whoever holds the link",
  { tag: LOCAL_TAG },
  async ({ page, browser }, testInfo) => {
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
    await expect(stranger.getByRole("alert")).toHaveText(REFUSAL);
    await expect(stranger).toHaveURL(/\/sign-up$/);
    await snap(stranger, testInfo, "sign-up-refused");

    // Invited, but the stranger knows only the address, not the link: the same answer.
    const invited = newUser("invited");
    await page.goto("/settings/members");
    await page.getByLabel("Email address").fill(invited.email);
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    const link = await page.getByRole("textbox", { name: "Invitation link" }).inputValue();
    await stranger.goto("/sign-up");
    await fillSignUp(stranger, invited);
    await expect(stranger.getByRole("alert")).toHaveText(REFUSAL);
    await stranger.context().close();

    // Whoever opens the link signs up through it (its token goes with the form), then accepts.
    const member = await (await browser.newContext()).newPage();
    await member.goto(link);
    await member.getByRole("link", { name: "Create account" }).click();
    await expect(member.getByText("Use the email address your invitation was sent to.")).toBeVisible();
    await fillSignUp(member, invited);
    await member.getByRole("button", { name: "Accept invitation" }).click();
    await expect(member.getByRole("heading", { level: 1, name: "Studio" })).toBeVisible();
    await page.reload();
    await expect(page.getByRole("table")).toContainText(invited.name);
    await member.context().close();
  },
);
