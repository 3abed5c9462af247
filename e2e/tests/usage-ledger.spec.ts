import { readFile } from "node:fs/promises";
import { expect, type Page, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { memberIds, type SeedEntry, seedLedger, seedStoppedSession } from "../support/ledger.ts";
import { LOCAL_TAG, localOnly } from "../support/local-only.ts";
import { makePlatformAdmin } from "../support/platform.ts";
import { addMember, newUser, personalOrganization, signUp, snap } from "../support/studio.ts";

localOnly("usage-ledger.spec.ts", "seeds back-dated ledger entries straight into the studio's database");

// Sign-ups, a second browser context, a CSV download and axe over long tables: more than the default
// minute on a busy machine.
test.describe.configure({ timeout: 180_000 });

const DAY = 86_400_000;
/** Midnight UTC today: the page counts its periods in UTC days. */
const today = () => new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);
const day = (offset: number) => new Date(today().getTime() + offset * DAY).toISOString().slice(0, 10);
/** A moment `daysAgo` days before today at `hour` UTC; for today, halfway between midnight and now. */
function at(daysAgo: number, hour = 12): Date {
  if (daysAgo === 0) return new Date((today().getTime() + Date.now()) / 2);
  return new Date(today().getTime() - daysAgo * DAY + hour * 3_600_000);
}

const usd = (dollars: number) => BigInt(Math.round(dollars * 1_000_000));

function usage(
  userId: string,
  daysAgo: number,
  model: string,
  dollars: number,
  tokens: [number, number, number],
  extra: Partial<SeedEntry> = {},
): SeedEntry {
  const provider = model.startsWith("grok")
    ? "xai"
    : model.startsWith("claude")
      ? "anthropic"
      : model === "gpt-5"
        ? "openai"
        : "custom";
  const own = provider === "custom";
  return {
    at: at(daysAgo),
    userId,
    kind: "usage",
    provider,
    model,
    keySource: own ? "direct" : "platform",
    inputTokens: tokens[0],
    outputTokens: tokens[1],
    cachedTokens: tokens[2],
    // The organisation's own endpoint is costed but charges nothing.
    amountMicroUsd: own ? 0n : -usd(dollars),
    costMicroUsd: usd(dollars),
    ...extra,
  };
}

/** "$1,025.50", "-$3.00", "+$50.00" → micro-USD, exactly. */
function parseShownUsd(text: string): bigint {
  const match = /^([+-]?)\$([\d,]+)\.(\d+)$/.exec(text.trim());
  expect(match, `amount text "${text}"`).not.toBeNull();
  const [, sign, whole = "0", fraction = ""] = match!;
  const value = BigInt(whole.replaceAll(",", "")) * 1_000_000n + BigInt(fraction.padEnd(6, "0"));
  return sign === "-" ? -value : value;
}

/** "-1.250000", "50" (the CSV's plain decimals) → micro-USD. */
function parseCsvUsd(text: string): bigint {
  const [whole = "0", fraction = ""] = text.replace("-", "").split(".");
  const value = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, "0"));
  return text.startsWith("-") ? -value : value;
}

/** RFC 4180: quoted fields may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') field += text[++i];
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(field);
      field = "";
    } else if (char === "\n") {
      row.push(field.replace(/\r$/, ""));
      rows.push(row);
      row = [];
      field = "";
    } else field += char;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

const totals = (page: Page) => ({
  count: page.getByTestId("total-count"),
  amount: page.getByTestId("total-amount"),
  cost: page.getByTestId("total-cost"),
  input: page.getByTestId("total-input"),
  output: page.getByTestId("total-output"),
  cached: page.getByTestId("total-cached"),
});
const entriesTable = (page: Page) => page.getByRole("table", { name: "Ledger entries, newest first" });
const period = (page: Page, label: string) =>
  page.getByRole("group", { name: "Period" }).getByText(label, { exact: true }).click();

test(
  "an admin filters the ledger, opens a session from it, exports it and grants credits",
  { tag: LOCAL_TAG },
  async ({ page }, testInfo) => {
    const admin = newUser("ledger");
    await signUp(page, admin);
    // The grant at the end needs the studio's platform admin; the ledger views need only the owner.
    await makePlatformAdmin(admin.email);
    const { userId, organizationId } = await memberIds(admin.email, personalOrganization(admin));
    const title = `Ledger walkthrough ${admin.name.split(" ")[1]}`;
    const sessionId = await seedStoppedSession(organizationId, userId, title);
    const bulk = Array.from({ length: 50 }, () => usage(userId, 45, "gpt-5", 0.01, [100, 10, 0]));
    // Worked out by hand below; the 30-day view holds the entries from today back to 29 days ago.
    const balance = await seedLedger(organizationId, [
      { at: at(40), userId, kind: "grant", amountMicroUsd: usd(50), reason: "E2E opening grant" },
      usage(userId, 0, "grok-4-1-fast", 1.25, [10_000, 2_000, 1_000], { sessionId }),
      usage(userId, 2, "claude-sonnet-4-6", 2.5, [20_000, 4_000, 0]),
      usage(userId, 3, "llama3.1", 0.4, [3_000, 600, 0]),
      usage(userId, 5, "grok-4-1-fast", 0.75, [6_000, 1_000, 500]),
      { at: at(8), userId, kind: "adjustment", amountMicroUsd: -usd(1), reason: "E2E correction" },
      usage(userId, 12, "claude-sonnet-4-6", 3, [24_000, 5_000, 2_000]),
      usage(userId, 20, "grok-4-1-fast", 0.5, [4_000, 800, 0]),
      usage(userId, 60, "grok-4-1-fast", 0.9, [7_000, 900, 0]),
      ...bulk,
    ]);
    // +50 − (1.25 + 2.5 + 0.75 + 1 + 3 + 0.5 + 0.9 + 50 × 0.01); the endpoint's call charged nothing.
    expect(balance).toBe(usd(39.6));

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Usage" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Usage" })).toBeVisible();
    await expect(page.getByRole("radio", { name: "Organisation" })).toBeChecked();
    await expect(page.getByTestId("credit-balance")).toHaveText("$39.60");
    const t = totals(page);
    await expect(t.count).toHaveText("7");
    await expect(t.amount).toHaveText("-$9.00");
    await expect(t.cost).toHaveText("$8.40");
    await expect(t.input).toHaveText("67,000");
    await expect(t.output).toHaveText("13,400");
    await expect(t.cached).toHaveText("3,500");
    await expect(page.getByRole("img", { name: "Cost per day, by model" })).toBeVisible();
    await expect(entriesTable(page).locator("tbody tr")).toHaveCount(7);
    await snap(page, testInfo, "usage-admin");
    await expectNoSeriousA11yViolations(page, "usage (organisation)");

    // By model: the three Grok calls of the last 30 days.
    await page.getByRole("combobox", { name: "Model", exact: true }).selectOption("grok-4-1-fast");
    await expect(page).toHaveURL(/model=grok-4-1-fast/);
    await expect(t.count).toHaveText("3");
    await expect(t.amount).toHaveText("-$2.50");
    await expect(t.input).toHaveText("20,000");
    // Then the last 7 days: today's and five days ago.
    await period(page, "7 days");
    await expect(page.getByRole("radio", { name: "7 days" })).toBeChecked();
    await expect(t.count).toHaveText("2");
    await expect(t.amount).toHaveText("-$2.00");
    await expect(t.cost).toHaveText("$2.00");
    await period(page, "Today");
    await expect(t.count).toHaveText("1");
    await expect(t.amount).toHaveText("-$1.25");

    // A custom range, every model: 21 to 10 days ago holds the Claude call and the older Grok one.
    await page.getByRole("combobox", { name: "Model", exact: true }).selectOption("");
    await period(page, "Custom");
    await page.getByLabel("From", { exact: true }).fill(day(-21));
    await page.getByLabel("To (included)").fill(day(-10));
    await expect(t.count).toHaveText("2");
    await expect(t.amount).toHaveText("-$3.50");
    await expect(t.output).toHaveText("5,800");
    // The view is in the address: a reload (or a shared link) shows the same.
    await page.reload();
    await expect(page).toHaveURL(new RegExp(`range=custom&from=${day(-21)}&to=${day(-10)}`));
    await expect(page.getByLabel("From", { exact: true })).toHaveValue(day(-21));
    await expect(t.count).toHaveText("2");
    await expect(t.amount).toHaveText("-$3.50");
    // Kinds: only the adjustment, over all time.
    await period(page, "All time");
    await page.getByRole("group", { name: /^Kind/ }).getByText("Adjustment", { exact: true }).click();
    await expect(t.count).toHaveText("1");
    await expect(t.amount).toHaveText("-$1.00");
    await expect(entriesTable(page)).toContainText("E2E correction");
    await page.getByRole("button", { name: "Clear filters" }).first().click();
    await expect(page.getByRole("radio", { name: "30 days" })).toBeChecked();
    await expect(t.count).toHaveText("7");

    // Only the session's entries, then open the session from its entry.
    await entriesTable(page)
      .getByRole("button", { name: `Show only entries of ${title}` })
      .click();
    await expect(t.count).toHaveText("1");
    await expect(page.getByText("Only the session")).toBeVisible();
    await expect(page.getByRole("button", { name: "Remove the session filter" })).toBeVisible();
    await entriesTable(page).getByRole("link", { name: title }).click();
    await expect(page).toHaveURL(new RegExp(`/sessions/${sessionId}$`));
    await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
    await page.goBack();
    await expect(t.count).toHaveText("1");
    await page.getByRole("button", { name: "Remove the session filter" }).click();

    // All time: 59 entries, 50 at first, the rest after Load more; the CSV holds the same rows.
    await period(page, "All time");
    await expect(t.count).toHaveText("59");
    await expect(t.amount).toHaveText("+$39.60");
    const rows = entriesTable(page).locator("tbody tr");
    await expect(rows).toHaveCount(50);
    await expect(page.getByTestId("entries-shown")).toHaveText("Showing 50 of 59 entries");
    await page.getByRole("button", { name: "Load more" }).click();
    await expect(rows).toHaveCount(59);
    await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
    const shown = (await entriesTable(page).getByTestId("entry-amount").allTextContents()).map(parseShownUsd);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export CSV" }).click(),
    ]);
    const csv = parseCsv(await readFile((await download.path())!, "utf8"));
    const header = csv[0] ?? [];
    const lines = csv.slice(1).filter((line) => line.length > 1);
    expect(lines).toHaveLength(59);
    const amountColumn = header.indexOf("amount_usd");
    expect(amountColumn).toBeGreaterThan(-1);
    expect(lines.map((line) => parseCsvUsd(line[amountColumn] ?? ""))).toEqual(shown);
    expect(shown.reduce((sum, value) => sum + value, 0n)).toBe(usd(39.6));

    // A grant from the page: the balance and the ledger both move.
    await page.getByRole("button", { name: "Grant or adjust" }).click();
    const dialog = page.getByRole("dialog", { name: "Grant or adjust credits" });
    await dialog.getByLabel("Amount (USD)").fill("25.50");
    await dialog.getByLabel("Reason").fill("E2E top-up from the usage page");
    await dialog.getByRole("button", { name: "Grant credits" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("credit-balance")).toHaveText("$65.10");
    await expect(t.count).toHaveText("60");
    await expect(t.amount).toHaveText("+$65.10");
    await expect(entriesTable(page).locator("tbody tr").first()).toContainText(
      "E2E top-up from the usage page",
    );
    await expect(page.getByRole("table", { name: "Model prices in USD per million tokens" })).toBeVisible();
    await snap(page, testInfo, "usage-admin-all-time");

    // Phone and dark: nothing scrolls sideways, the chart and the stacked entries still read.
    await page.setViewportSize({ width: 375, height: 812 });
    await page.emulateMedia({ colorScheme: "dark" });
    await period(page, "30 days");
    // The seven entries of the last 30 days and today's grant.
    await expect(t.count).toHaveText("8");
    await expect(t.amount).toHaveText("+$16.50");
    await expect(page.locator("html")).toHaveClass(/\bdark\b/);
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    await snap(page, testInfo, "usage-phone-dark");
    await expectNoSeriousA11yViolations(page, "usage (phone, dark)");
  },
);

test(
  "a member sees only their own usage and no organisation view",
  { tag: LOCAL_TAG },
  async ({ page, browser }, testInfo) => {
    const admin = newUser("ledgerowner");
    await signUp(page, admin);
    const organization = personalOrganization(admin);
    const person = newUser("ledgermember");
    const member = await addMember(page, browser, person);
    const owner = await memberIds(admin.email, organization);
    const memberUser = await memberIds(person.email, organization);
    await seedLedger(owner.organizationId, [
      { at: at(20), userId: owner.userId, kind: "grant", amountMicroUsd: usd(20), reason: "E2E allowance" },
      usage(owner.userId, 1, "claude-sonnet-4-6", 4, [40_000, 4_000, 0]),
      usage(memberUser.userId, 1, "grok-4-1-fast", 0.3, [3_000, 300, 0]),
      usage(memberUser.userId, 2, "grok-4-1-fast", 0.2, [2_000, 200, 100]),
      usage(memberUser.userId, 3, "claude-sonnet-4-6", 1, [10_000, 1_000, 0]),
    ]);

    await member.goto("/usage");
    await expect(member.getByRole("heading", { level: 1, name: "My usage" })).toBeVisible();
    const t = totals(member);
    await expect(t.count).toHaveText("3");
    await expect(t.amount).toHaveText("-$1.50");
    await expect(t.input).toHaveText("15,000");
    await expect(entriesTable(member).locator("tbody tr")).toHaveCount(3);
    // Newest first, and not the owner's $4.00 call.
    expect(
      (await entriesTable(member).getByTestId("entry-amount").allTextContents()).map(parseShownUsd),
    ).toEqual([-usd(0.3), -usd(0.2), -usd(1)]);
    await expect(member.getByRole("radio", { name: "Organisation" })).toHaveCount(0);
    await expect(member.getByRole("combobox", { name: "Person" })).toHaveCount(0);
    await expect(member.getByRole("button", { name: "Grant or adjust" })).toHaveCount(0);
    await expect(member.getByTestId("credit-balance")).toHaveCount(0);
    await expect(member.getByRole("option", { name: "Group by person" })).toHaveCount(0);
    const href = await member.getByRole("link", { name: "Export CSV" }).getAttribute("href");
    expect(JSON.parse(new URL(href ?? "", "http://studio").searchParams.get("filter") ?? "{}")).toMatchObject(
      {
        scope: "mine",
      },
    );
    // Asking for the organisation in the address changes nothing.
    await member.goto("/usage?scope=organization&user=someone-else");
    await expect(t.count).toHaveText("3");
    await expect(member.getByRole("radio", { name: "Organisation" })).toHaveCount(0);
    await snap(member, testInfo, "usage-member");
    await expectNoSeriousA11yViolations(member, "usage (member)");

    // The admin sees everyone, and the member's three entries under their name.
    await page.goto("/usage");
    await expect(totals(page).count).toHaveText("5");
    await page.getByRole("combobox", { name: "Person" }).selectOption({ label: person.name });
    await expect(totals(page).count).toHaveText("3");
    await expect(totals(page).amount).toHaveText("-$1.50");
    await page.getByRole("group", { name: "Whose usage" }).getByText("Mine", { exact: true }).click();
    await expect(totals(page).count).toHaveText("2");
    await expect(totals(page).amount).toHaveText("+$16.00");
    await member.context().close();
  },
);
