import { expect, type Page, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { LOCAL_TAG, localOnly } from "../support/local-only.ts";
import { script } from "../support/model-server.ts";
import { makePlatformAdmin } from "../support/platform.ts";
import { marker, replies, TURN_TIMEOUT, waitUntilReady } from "../support/session.ts";
import { addMember, createOrganization, newUser, signUp, snap } from "../support/studio.ts";

localOnly(
  "keys-and-credits.spec.ts",
  "makes its account a platform admin with `pnpm platform-admin` on the studio's machine",
);

// Several sign-ups, a second browser context and axe over a long price table: more than the default minute
// on a busy machine.
test.describe.configure({ timeout: 150_000 });

// The scripted model server stands in for xAI (XAI_BASE_URL) and accepts this key only.
const GOOD_KEY = "xai-e2e-org-key-0123456789";
const BAD_KEY = "xai-e2e-revoked-key-abcdwxyz";

/** Every text and every form value on the page: a saved key must appear in none of them. */
async function everythingOnThePage(page: Page): Promise<string> {
  // A string, because this package is typed for Node (no DOM types); it runs in the page.
  return page.evaluate<string>(`[
    document.documentElement.outerHTML,
    ...Array.from(document.querySelectorAll("input, textarea"), (field) => field.value),
  ].join("\\n")`);
}

/** The balance shown on the page, in micro-USD (exact: "$1,025.50" → 1025500000n). */
async function shownBalance(page: Page): Promise<bigint> {
  const text = (await page.getByTestId("credit-balance").textContent()) ?? "";
  const match = /^(-?)\$([\d,]+)\.(\d+)$/.exec(text.trim());
  expect(match, `balance text "${text}"`).not.toBeNull();
  const [, sign, whole = "0", fraction = ""] = match!;
  const value = BigInt(whole.replaceAll(",", "")) * 1_000_000n + BigInt(fraction.padEnd(6, "0"));
  return sign ? -value : value;
}

test(
  "an admin adds, tests and replaces a provider key; a member cannot manage keys",
  { tag: LOCAL_TAG },
  async ({ page, browser }, testInfo) => {
    const admin = newUser("keys");
    await signUp(page, admin);
    await createOrganization(page, `Keys ${admin.name.split(" ")[1]}`);

    await page.getByRole("link", { name: "Settings" }).click();
    await page
      .getByRole("navigation", { name: "Settings" })
      .getByRole("link", { name: "Provider keys" })
      .click();
    await expect(page.getByRole("heading", { name: "Which key pays for a session" })).toBeVisible();
    const xai = page.getByRole("listitem", { name: "xAI" });
    await expect(xai).toContainText("Not set");
    await snap(page, testInfo, "keys-empty");
    await expectNoSeriousA11yViolations(page, "provider keys (empty)");

    await xai.getByRole("button", { name: "Add xAI key" }).click();
    const add = page.getByRole("dialog", { name: "Add xAI key" });
    await expect(add.getByLabel("API key")).toHaveAttribute("type", "password");
    await add.getByLabel("API key").fill(GOOD_KEY);
    await add.getByRole("button", { name: "Save key" }).click();
    await expect(add).toBeHidden();
    await expect(xai.getByTestId("masked-key")).toHaveText("••••6789");
    await expect(xai).toContainText("Key set");
    await expect(xai).toContainText(admin.name);
    await expect(xai.getByText("never", { exact: true })).toBeVisible();
    expect(await everythingOnThePage(page)).not.toContain(GOOD_KEY);

    await xai.getByRole("button", { name: "Test xAI key" }).click();
    await expect(xai.getByTestId("key-test-result")).toContainText("Key works.");
    await expect(xai.getByTestId("key-test-result")).toContainText("HTTP 200");
    await snap(page, testInfo, "keys-tested");

    // The key pays for xAI models now: the config bar says so.
    await page.goto("/");
    await expect(page.getByRole("combobox", { name: "Model" })).toHaveValue("grok-4-1-fast");
    await expect(page.getByTestId("key-source")).toContainText("Your key");
    await expect(page.getByRole("button", { name: "Start session" })).toBeEnabled();

    await page.goto("/settings/keys");
    await xai.getByRole("button", { name: "Replace xAI key" }).click();
    const replace = page.getByRole("dialog", { name: "Replace xAI key" });
    await expect(replace.getByLabel("API key")).toHaveValue("");
    await replace.getByLabel("API key").fill(BAD_KEY);
    await replace.getByRole("button", { name: "Replace key" }).click();
    await expect(replace).toBeHidden();
    await expect(xai.getByTestId("masked-key")).toHaveText("••••wxyz");
    expect(await everythingOnThePage(page)).not.toContain(BAD_KEY);
    await xai.getByRole("button", { name: "Test xAI key" }).click();
    await expect(xai.getByTestId("key-test-result")).toContainText("Key refused.");
    await expect(xai.getByTestId("key-test-result")).toContainText("HTTP 401: Invalid API key provided.");
    await snap(page, testInfo, "keys-refused");

    // Removing asks first, then the xAI row is empty again.
    await xai.getByRole("button", { name: "Remove xAI key" }).click();
    const remove = page.getByRole("dialog", { name: "Remove the xAI key?" });
    await expect(remove).toContainText("••••wxyz");
    await remove.getByRole("button", { name: "Remove key" }).click();
    await expect(remove).toBeHidden();
    await expect(xai).toContainText("Not set");

    // Without a key (and no platform xAI key) Grok cannot run: Start is off and the fix is a link away.
    await page.goto("/");
    await expect(page.getByText("Grok 4.1 Fast can't be used now")).toBeVisible();
    await expect(page.getByRole("link", { name: "Set up provider keys" })).toHaveAttribute(
      "href",
      "/settings/keys",
    );
    await expect(page.getByRole("button", { name: "Start session" })).toBeDisabled();
    await snap(page, testInfo, "config-bar-unavailable");
    await expectNoSeriousA11yViolations(page, "config bar (model unavailable)");

    const member = await addMember(page, browser, newUser("member"));
    await member.goto("/settings/keys");
    await expect(member.getByText("Only owners and admins add, test or remove provider keys.")).toBeVisible();
    await expect(member.getByRole("button", { name: /^(Add|Test|Replace|Remove) / })).toHaveCount(0);
    await snap(member, testInfo, "keys-member");
    await expectNoSeriousA11yViolations(member, "provider keys (member)");
    await member.goto("/settings/billing");
    await expect(member.getByTestId("credit-balance")).toBeVisible();
    await expect(member.getByRole("button", { name: "Grant or adjust" })).toHaveCount(0);
    await expect(member.getByRole("button", { name: /^Edit price/ })).toHaveCount(0);
    await member.context().close();
  },
);

test(
  "a platform admin grants credits with a reason and sets an organisation price; an owner cannot",
  { tag: LOCAL_TAG },
  async ({ page }, testInfo) => {
    const admin = newUser("credits");
    await signUp(page, admin);
    // Owning the organisation is not enough: credits spend the platform's keys.
    await page.goto("/settings/billing");
    await expect(page.getByTestId("credit-balance")).toBeVisible();
    await expect(page.getByText("The studio's platform admins add credits.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Grant or adjust" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Edit price/ })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "All organisations" })).toHaveCount(0);

    await makePlatformAdmin(admin.email);
    await page.reload();
    await expect(page.getByTestId("credit-balance")).toBeVisible();
    const before = await shownBalance(page);

    await page.getByRole("button", { name: "Grant or adjust" }).click();
    const dialog = page.getByRole("dialog", { name: "Grant or adjust credits" });
    await dialog.getByLabel("Amount (USD)").fill("25.50");
    await dialog.getByRole("button", { name: "Grant credits" }).click();
    await expect(dialog.getByText("Say why, in a few words.")).toBeVisible();
    await dialog.getByLabel("Reason").fill("E2E monthly allowance");
    await dialog.getByRole("button", { name: "Grant credits" }).click();
    await expect(dialog).toBeHidden();
    await expect.poll(() => shownBalance(page)).toBe(before + 25_500_000n);

    const prices = page.getByRole("table", { name: "Model prices in USD per million tokens" });
    const grok = prices.getByRole("row", { name: /^Grok 4\.1 Fast/ });
    await expect(grok).toContainText("$0.20");
    await expect(grok).toContainText("$0.50");
    await expect(grok).toContainText("Platform list price");
    await snap(page, testInfo, "billing");
    await expectNoSeriousA11yViolations(page, "credits and prices");

    await grok.getByRole("button", { name: "Edit price for Grok 4.1 Fast" }).click();
    const edit = page.getByRole("dialog", { name: "Edit price: Grok 4.1 Fast" });
    await expect(edit.getByLabel("Input", { exact: true })).toHaveValue("0.2");
    await edit.getByLabel("Input", { exact: true }).fill("0.25");
    await edit.getByLabel("Output").fill("0.75");
    await edit.getByRole("button", { name: "Save price" }).click();
    await expect(edit).toBeHidden();
    await expect(grok).toContainText("$0.25");
    await expect(grok).toContainText("$0.75");
    await expect(grok).toContainText("Organisation price");

    await grok.getByRole("button", { name: "History for Grok 4.1 Fast" }).click();
    const history = page.getByRole("table", { name: "Price history for Grok 4.1 Fast" });
    await expect(history.getByRole("row")).toHaveCount(3);
    await expect(history).toContainText("(in force)");
    await snap(page, testInfo, "billing-history");
    await expectNoSeriousA11yViolations(page, "credits and prices (history open)");

    await page.emulateMedia({ colorScheme: "dark" });
    await expect(page.locator("html")).toHaveClass(/\bdark\b/);
    await snap(page, testInfo, "billing-dark");
    await expectNoSeriousA11yViolations(page, "credits and prices (dark)");
  },
);

test(
  "a session on the organisation's own key says so and counts its cost as calls are metered",
  { tag: LOCAL_TAG },
  async ({ page }, testInfo) => {
    test.setTimeout(180_000);
    await signUp(page, newUser("spender"));
    await page.goto("/settings/keys");
    await page.getByRole("button", { name: "Add xAI key" }).click();
    const add = page.getByRole("dialog", { name: "Add xAI key" });
    await add.getByLabel("API key").fill(GOOD_KEY);
    await add.getByRole("button", { name: "Save key" }).click();
    await expect(add).toBeHidden();

    // The default model (xAI, Grok 4.1 Fast), paid by the key just added, answered by the scripted server.
    await page.goto("/");
    await expect(page.getByTestId("key-source")).toContainText("Your key");
    const tag = marker();
    await script(tag, [{ text: "Metered reply." }]);
    await page.getByLabel("What should the agent work on?").fill(`${tag} say something`);
    await page.getByRole("button", { name: "Start session" }).click();
    await page.waitForURL(/\/sessions\//);
    await waitUntilReady(page);
    await expect(replies(page).filter({ hasText: "Metered reply." })).toBeVisible({ timeout: TURN_TIMEOUT });

    const config = page.getByRole("list", { name: "Session configuration" });
    await expect(config).toContainText("Your key");
    // Costed at the list price whoever pays; nothing is drawn from credits on the organisation's key.
    await expect(page.getByTestId("session-cost")).not.toHaveText("$0.00");
    await expect(page.getByTitle("Credits used")).toHaveCount(0);
    await snap(page, testInfo, "session-header-own-key");
    await page.setViewportSize({ width: 375, height: 812 });
    await page.emulateMedia({ colorScheme: "dark" });
    await expect(config).toContainText("Your key");
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    await snap(page, testInfo, "session-header-phone-dark");
    await page.setViewportSize({ width: 1280, height: 720 });

    await page.goto("/settings/keys");
    await expect(page.getByRole("listitem", { name: "xAI" }).getByText("never", { exact: true })).toHaveCount(
      0,
    );
  },
);

test.describe("on a phone", () => {
  test.use({ viewport: { width: 375, height: 812 } });

  test("both pages fit 375 px", { tag: LOCAL_TAG }, async ({ page }, testInfo) => {
    await signUp(page, newUser("phone"));
    for (const [path, name] of [
      ["/settings/keys", "keys"],
      ["/settings/billing", "billing"],
    ] as const) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 2 }).first()).toBeVisible();
      await expect(page.getByRole("status", { name: /^Loading/ })).toHaveCount(0);
      expect(
        await page.evaluate<number>("document.documentElement.scrollWidth"),
        `${path} scrolls sideways`,
      ).toBeLessThanOrEqual(375);
      await snap(page, testInfo, `${name}-phone`);
    }
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto("/settings/keys");
    await expect(page.getByRole("listitem", { name: "xAI" })).toBeVisible();
    await snap(page, testInfo, "keys-phone-dark");
    await expectNoSeriousA11yViolations(page, "provider keys (phone, dark)");
  });
});
