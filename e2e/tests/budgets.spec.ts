import { expect, type Page, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { memberIds, seedLedger } from "../support/ledger.ts";
import { LOCAL_TAG, localOnly } from "../support/local-only.ts";
import { script, scriptedLeft } from "../support/model-server.ts";
import { conversation, marker, PROVISION_TIMEOUT, sessionStatus, TURN_TIMEOUT } from "../support/session.ts";
import { addMember, newUser, personalOrganization, signUp, snap } from "../support/studio.ts";

localOnly("budgets.spec.ts", "seeds platform credits straight into the studio's database");

// An owner sets a member's monthly budget on Settings → Budgets & limits; the member's session
// spends past it, the gateway refuses the next model call (402) and the studio stops the session
// with the reason in the chat; the member sees a banner, the owner's Usage page shows the bar full.
// The platform pays for Anthropic here (ANTHROPIC_API_KEY in playwright.config.ts, answered by the
// scripted model server); budgets count the cost at the prices used, whoever pays.
test.describe.configure({ timeout: 300_000 });

/** Claude Haiku 4.5 at $1 in / $5 out per million tokens: $0.02 + $0.01, three times the budget. */
const FIRST_CALL = { inputTokens: 20_000, outputTokens: 2_000 };
const BUDGET = "0.01";

/** The first instant of next month in UTC: the organisation's time zone is UTC unless changed. */
/** When this month's budgets reset, as the studio writes it for an organisation on UTC. */
function nextMonthUtc(now = new Date()): string {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const local = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeStyle: "short", timeZone: "UTC" });
  return `${local.format(next)} (UTC)`;
}

const budgetsCard = (page: Page) => page.getByRole("region", { name: "Budgets", exact: true });

test(
  "an owner sets a member's monthly budget: the member's session stops at it, with a clear message, and the Usage page shows the bar full",
  { tag: LOCAL_TAG },
  async ({ page, browser }, testInfo) => {
    await page.setViewportSize({ width: 1440, height: 900 });
    const owner = newUser("budgetowner");
    await signUp(page, owner);
    const person = newUser("budgeted");
    const member = await addMember(page, browser, person);
    await member.setViewportSize({ width: 1440, height: 900 });

    // Credits to pay for the member's calls, plenty more than the budget: the budget must be what stops them.
    const organization = personalOrganization(owner);
    const { organizationId, userId: ownerId } = await memberIds(owner.email, organization);
    await seedLedger(organizationId, [
      { at: new Date(), userId: ownerId, kind: "grant", amountMicroUsd: 5_000_000n, reason: "E2E credits" },
    ]);

    // Settings → Budgets & limits, with no budget yet.
    await page.goto("/settings");
    await page
      .getByRole("navigation", { name: "Settings" })
      .getByRole("link", { name: "Budgets & limits" })
      .click();
    await expect(page).toHaveURL(/\/settings\/budgets$/);
    await expect(budgetsCard(page).getByText("No budgets yet")).toBeVisible();
    await expect(
      page.getByRole("region", { name: "Time zone & limits" }).getByLabel("Time zone"),
    ).toHaveValue("UTC");
    await snap(page, testInfo, "budgets-empty");
    await expectNoSeriousA11yViolations(page, "the budgets page, empty");

    // The member's monthly budget: a hard $0.01. Typos are caught in the dialog first.
    await budgetsCard(page).getByRole("button", { name: "Add budget" }).click();
    const dialog = page.getByRole("dialog", { name: "Add budget" });
    await expect(dialog.getByLabel("Covers")).toHaveValue("member");
    await dialog.getByLabel("Member").selectOption({ label: `${person.name} (${person.email})` });
    await expect(dialog.getByLabel("Period")).toHaveValue("month");
    await dialog.getByLabel("Limit (USD)").fill("-1");
    await dialog.getByLabel("Alert thresholds (%)").fill("50, 80, 1001");
    await dialog.getByRole("button", { name: "Add budget" }).click();
    await expect(dialog.getByText("A limit cannot be negative.")).toBeVisible();
    await expect(dialog.getByText("Each threshold is between 1 % and 1000 %.")).toBeVisible();
    await expect(dialog.getByLabel("Limit (USD)")).toHaveAttribute("aria-invalid", "true");
    await dialog.getByLabel("Limit (USD)").fill(BUDGET);
    await dialog.getByLabel("Alert thresholds (%)").fill("80, 50 100");
    await expect(dialog.getByRole("radio", { name: /^Hard/ })).toBeChecked();
    await snap(page, testInfo, "budget-dialog");
    await dialog.getByRole("button", { name: "Add budget" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText("Budget added.")).toBeVisible();
    const row = budgetsCard(page).getByRole("row").filter({ hasText: person.name });
    await expect(row).toContainText("$0.01");
    await expect(row).toContainText("Monthly");
    await expect(row).toContainText("Hard");
    await expect(row).toContainText("Alerts at 50 %, 80 %, 100 %");
    await expect(row.getByRole("progressbar", { name: `${person.name}: spent this month` })).toHaveAttribute(
      "aria-valuenow",
      "0",
    );

    // Editing keeps the member and shows what was saved.
    await row.getByRole("button", { name: `Edit the budget for ${person.name}` }).click();
    const edit = page.getByRole("dialog", { name: `Edit budget: ${person.name}` });
    await expect(edit.getByLabel("Limit (USD)")).toHaveValue(BUDGET);
    await expect(edit.getByLabel("Alert thresholds (%)")).toHaveValue("50, 80, 100");
    await expect(edit.getByLabel("Member")).toBeDisabled();
    await edit.getByRole("button", { name: "Cancel" }).click();
    await expect(edit).toBeHidden();

    // The organisation's own limits: refused when out of range, kept once saved, empty for the default.
    const limits = page.getByRole("region", { name: "Time zone & limits" });
    const perMember = limits.getByLabel("Model calls per minute, each member");
    await perMember.fill("0");
    await limits.getByRole("button", { name: "Save time zone & limits" }).click();
    await expect(limits.getByText("At least 1, or empty for the studio's default.")).toBeVisible();
    await perMember.fill("600");
    await limits.getByRole("button", { name: "Save time zone & limits" }).click();
    await expect(page.getByText("Time zone and limits saved.")).toBeVisible();
    await page.reload();
    await expect(perMember).toHaveValue("600");
    await expect(limits.getByLabel("Live sessions, each member")).toHaveValue("");
    await expect(limits.getByLabel("Time zone")).toHaveValue("UTC");

    // The member asks something. The scripted model answers with a command first, which costs three
    // times the budget, so the agent's next call (with the command's output) is refused.
    const tag = marker();
    await script(
      tag,
      {
        steps: [
          { text: "I will list the files first." },
          {
            toolCall: { name: "bash", arguments: { command: "echo listed", description: "List the files" } },
          },
        ],
        usage: FIRST_CALL,
      },
      [{ text: "This reply is never sent: the budget is spent." }],
    );
    await member.goto("/");
    await member.getByLabel("Provider").selectOption("anthropic");
    await expect(member.getByTestId("key-source")).toContainText("Platform credits");
    await member.getByLabel("What should the agent work on?").fill(`${tag} look around the project`);
    await member.getByRole("button", { name: "Start session" }).click();
    await member.waitForURL(/\/sessions\/[^/]+$/);

    // OpenCode's title call may be the one refused, before the command is even asked about: then
    // there is no permission to give.
    const notice = conversation(member)
      .getByRole("note")
      .filter({ hasText: /^Your monthly budget of \$0\.01 is spent\. It resets on / })
      .last();
    const permission = member.locator(".tool-card .permission-card[data-state='waiting']").first();
    await expect(notice.or(permission).first()).toBeVisible({ timeout: PROVISION_TIMEOUT + TURN_TIMEOUT });
    if (await permission.isVisible()) await permission.getByRole("button", { name: "Allow once" }).click();

    // The clear message, and the session stopped with it.
    await expect(notice).toBeVisible({ timeout: TURN_TIMEOUT });
    await expect(notice).toContainText(
      `Your monthly budget of $0.01 is spent. It resets on ${nextMonthUtc()}.`,
    );
    await expect(sessionStatus(member)).toHaveText("Stopped", { timeout: TURN_TIMEOUT });
    expect(await scriptedLeft(tag), "the refused follow-up reached the model server").toBe(1);
    await snap(member, testInfo, "member-session-stopped");

    // The banner tells the member wherever they are, until they dismiss it for this period.
    await member.goto("/usage");
    const banner = member.getByRole("alert").filter({ hasText: "Your monthly budget of $0.01 is spent." });
    await expect(banner).toBeVisible();
    await expect(banner).toContainText("The agent's model calls are refused until it resets on");
    const yours = member.getByRole("region", { name: "Your budget" });
    await expect(yours.getByText("Spent", { exact: true })).toBeVisible();
    await expect(
      yours.getByRole("progressbar", { name: "Your monthly budget: spent this month" }),
    ).toHaveAttribute("aria-valuenow", "100");
    await snap(member, testInfo, "member-banner-and-budget");
    await expectNoSeriousA11yViolations(member, "the member's usage page with the budget banner");
    await banner.getByRole("button", { name: "Dismiss until the budget resets" }).click();
    await expect(banner).toBeHidden();
    await member.reload();
    await expect(yours.getByText("Spent", { exact: true })).toBeVisible();
    await expect(member.getByRole("alert").filter({ hasText: "is spent." })).toHaveCount(0);

    // A member sees only their own budgets in Settings.
    await member.goto("/settings/budgets");
    await expect(member.getByRole("region", { name: "Your budgets" })).toBeVisible();
    await expect(member.getByRole("region", { name: "Budgets", exact: true })).toHaveCount(0);

    // The owner's Usage page: the member's bar is full, past 100 %.
    await page.goto("/usage");
    const spend = page.getByRole("region", { name: "Spend against budget" });
    const bar = spend.getByRole("progressbar", { name: `${person.name}: spent this month` });
    await expect(bar).toHaveAttribute("aria-valuenow", "100");
    expect(Number(await bar.getAttribute("data-percent"))).toBeGreaterThanOrEqual(100);
    await expect(spend.getByRole("listitem").filter({ hasText: person.name })).toContainText(
      /of \$0\.01 \(\d{3,} %\)/,
    );
    await expect(spend.getByRole("listitem").filter({ hasText: owner.name })).toContainText("No budget");
    await spend.scrollIntoViewIfNeeded();
    await snap(page, testInfo, "usage-spend-against-budget");
    await expectNoSeriousA11yViolations(page, "the usage page with spend against budget");

    // And Settings shows the crossing of each threshold, and the budget spent.
    await page.goto("/settings/budgets");
    await expect(
      budgetsCard(page)
        .getByRole("row")
        .filter({ hasText: person.name })
        .getByRole("progressbar", { name: `${person.name}: spent this month` }),
    ).toHaveAttribute("aria-valuenow", "100");
    const alerts = page.getByRole("region", { name: "Recent alerts" });
    await expect(alerts.getByRole("row").filter({ hasText: person.name })).toHaveCount(3);
    await snap(page, testInfo, "budgets-spent");
    await expectNoSeriousA11yViolations(page, "the budgets page with a spent budget");

    // Removing it lifts the limit: asked first, then gone.
    await budgetsCard(page)
      .getByRole("button", { name: `Remove the budget for ${person.name}` })
      .click();
    const confirm = page.getByRole("dialog", { name: `Remove the budget for ${person.name}?` });
    await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
    await confirm.getByRole("button", { name: "Remove budget" }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByText("Budget removed.")).toBeVisible();
    await expect(budgetsCard(page).getByText("No budgets yet")).toBeVisible();
    await member.goto("/settings/budgets");
    await expect(
      member.getByRole("region", { name: "Your budgets" }).getByText("No budget covers you"),
    ).toBeVisible();

    await member.context().close();
  },
);
