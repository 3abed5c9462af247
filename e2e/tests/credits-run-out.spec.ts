import { expect, type Page, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { LOCAL_TAG, localOnly } from "../support/local-only.ts";
import { type ReceivedRequest, receivedRequests, script, scriptedLeft } from "../support/model-server.ts";
import { makePlatformAdmin } from "../support/platform.ts";
import {
  composer,
  conversation,
  marker,
  PROVISION_TIMEOUT,
  TURN_TIMEOUT,
  waitForTurnEnd,
} from "../support/session.ts";
import { newUser, signUp, snap } from "../support/studio.ts";

localOnly(
  "credits-run-out.spec.ts",
  "makes its account a platform admin with `pnpm platform-admin` on the studio's machine",
);

// The platform pays for Anthropic here (ANTHROPIC_API_KEY in playwright.config.ts, answered by the
// scripted model server); a new organisation starts with no credits. Provisioning, two model calls, a
// permission and two visits to the billing page: well over the default minute on a busy machine.
test.describe.configure({ timeout: 240_000 });

const GRANT = 20_000n; // $0.02, in micro-USD
// Claude Haiku 4.5's list price is $1 in / $5 out per million tokens: 20,000 in and 2,000 out cost
// $0.02 + $0.01 = 30,000 micro-USD, more than the grant. The call is owed anyway; the next one is refused.
const FIRST_CALL = { inputTokens: 20_000, outputTokens: 2_000 };
const FIRST_CALL_COST = 30_000n;

/**
 * What a title call that reached the scripted server costs at Claude Haiku 4.5's list price: the
 * server reports a request's size as its input (4 bytes a token) and answers "Scripted Title" (4 tokens).
 */
function titleCallCost(request: ReceivedRequest): bigint {
  const bytes = Number(request.headers["content-length"]);
  expect(bytes, "the title call's size").toBeGreaterThan(0);
  return BigInt(Math.ceil(bytes / 4)) * 1n + 4n * 5n;
}

/** A USD amount as the studio shows it ("$0.03", "-$0.010412", "$1,025.50") in micro-USD, exactly. */
function microUsd(text: string): bigint {
  const match = /(-?)\$([\d,]+)\.(\d{2,6})$/.exec(text.trim());
  expect(match, `an amount in "${text}"`).not.toBeNull();
  const [, sign, whole = "0", fraction = ""] = match!;
  const value = BigInt(whole.replaceAll(",", "")) * 1_000_000n + BigInt(fraction.padEnd(6, "0"));
  return sign ? -value : value;
}

async function shownBalance(page: Page): Promise<bigint> {
  return microUsd((await page.getByTestId("credit-balance").textContent()) ?? "");
}

/** The session header's "Credits used" counter. */
async function creditsUsed(page: Page): Promise<bigint> {
  return microUsd((await page.getByTitle("Credits used").textContent()) ?? "");
}

test(
  "a session on platform credits runs out: the gateway refuses with 402, the chat says so, nothing is charged twice",
  { tag: LOCAL_TAG },
  async ({ page }, testInfo) => {
    // The studio's platform admin, who alone can add credits, runs a session on them.
    const operator = newUser("runout");
    await signUp(page, operator);
    await makePlatformAdmin(operator.email);
    await page.reload();

    // No credits yet: the platform offers Anthropic, but this organisation cannot pay for it.
    const provider = page.getByLabel("Provider");
    await provider.selectOption("anthropic");
    await expect(page.getByLabel("Model")).toHaveValue("claude-haiku-4-5");
    const unavailable = page.getByRole("status").filter({ hasText: "Claude Haiku 4.5 can't be used now" });
    await expect(unavailable).toContainText("platform credits are used up ($0.000000 left)");
    await expect(page.getByRole("button", { name: "Start session" })).toBeDisabled();
    await unavailable.getByRole("link", { name: "Add platform credits" }).click();

    // Settings → Credits & prices: a small grant, with a reason.
    await expect(page).toHaveURL(/\/settings\/billing$/);
    await expect(page.getByTestId("credit-balance")).toHaveText("$0.00");
    await page.getByRole("button", { name: "Grant or adjust" }).click();
    const grant = page.getByRole("dialog", { name: "Grant or adjust credits" });
    await grant.getByLabel("Amount (USD)").fill("0.02");
    await grant.getByLabel("Reason").fill("E2E trial credits");
    await grant.getByRole("button", { name: "Grant credits" }).click();
    await expect(grant).toBeHidden();
    await expect(page.getByTestId("credit-balance")).toHaveText("$0.02");

    // Now Claude Haiku 4.5 runs on platform credits.
    await page.goto("/");
    await provider.selectOption("anthropic");
    await expect(page.getByTestId("key-source")).toContainText("Platform credits");
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
      // The follow-up with the tool's result: the gateway must refuse it before it gets here.
      [{ text: "This reply is never sent: the organisation is out of credits." }],
    );
    await page.getByLabel("What should the agent work on?").fill(`${tag} look around the project`);
    await page.getByRole("button", { name: "Start session" }).click();
    await page.waitForURL(/\/sessions\/[^/]+$/);
    const config = page.getByRole("list", { name: "Session configuration" });
    await expect(config).toContainText("Anthropic");
    await expect(config).toContainText("Claude Haiku 4.5");
    await expect(config).toContainText("Platform credits");

    // The first call went through and is charged: the agent asks before running its command. (The
    // session goes from Starting straight to Working on the first message, so this waits out provisioning.)
    const tool = page.locator(".tool-card").first();
    const permission = tool.locator(".permission-card");
    await expect(permission).toHaveAttribute("data-state", "waiting", {
      timeout: PROVISION_TIMEOUT + TURN_TIMEOUT,
    });
    await expect
      .poll(() => creditsUsed(page), { timeout: TURN_TIMEOUT })
      .toBeGreaterThanOrEqual(FIRST_CALL_COST);
    await permission.getByRole("button", { name: "Allow once" }).click();
    await expect(tool).toHaveAttribute("data-status", "completed", { timeout: TURN_TIMEOUT });

    // The follow-up call is refused by the gateway (402): the chat says why, and the turn ends.
    // The gateway tells the session at most once a minute, so a slow run may show a second one.
    const notice = conversation(page)
      .getByRole("note")
      .filter({ hasText: /^Out of platform credits/ })
      .last();
    await expect(notice).toBeVisible({ timeout: TURN_TIMEOUT });
    await expect(notice).toContainText("Ask a platform admin for credits, or add your own provider key.");
    await waitForTurnEnd(page);
    expect(await scriptedLeft(tag), "the refused follow-up reached the model server").toBe(1);
    await snap(page, testInfo, "out-of-credits-notice");
    await expectNoSeriousA11yViolations(page, "a session out of credits");

    // What reached the provider: the one scripted call, and OpenCode's title call if it got in before
    // the balance ran out. The header counts exactly those, once each. (Only this test's requests,
    // by its marker: other workers and shards use the same model server and Anthropic's models.)
    const reached = await receivedRequests(tag);
    expect(reached.every((request) => request.format === "anthropic")).toBe(true);
    expect(reached.filter((request) => !request.isTitle)).toHaveLength(1);
    const titleCost = reached
      .filter((request) => request.isTitle)
      .reduce((sum, request) => sum + titleCallCost(request), 0n);
    await expect.poll(() => creditsUsed(page)).toBe(FIRST_CALL_COST + titleCost);
    const used = FIRST_CALL_COST + titleCost;

    // Another message is refused by the API with the balance, and the text stays in the box to try again.
    const retry = `${tag} try again`;
    await composer(page).fill(retry);
    await composer(page).press("Enter");
    const refusal = page.getByRole("alert").filter({ hasText: /^Out of platform credits \(balance / });
    await expect(refusal).toHaveText(
      `Out of platform credits (balance -$0.${(used - GRANT).toString().padStart(6, "0")}). Ask a platform admin for credits, or add your own provider key.`,
    );
    await expect(composer(page)).toBeEnabled();
    await expect(composer(page)).toHaveValue(retry);
    await expect(page.locator(".user-message").filter({ hasText: retry })).toHaveCount(0);
    await composer(page).fill(`${tag} edited`);
    await expect(composer(page)).toHaveValue(`${tag} edited`);
    await snap(page, testInfo, "out-of-credits-refused-message");

    // The balance is the grant less exactly what the session shows as used.
    await page.goto("/settings/billing");
    await expect(page.getByTestId("credit-balance")).toHaveText(/^-\$/);
    expect(await shownBalance(page)).toBe(GRANT - used);
    await expect(page.getByText("Too low to start a session")).toBeVisible();
    await snap(page, testInfo, "billing-negative");
  },
);
