import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { script } from "../support/model-server.ts";
import {
  composer,
  marker,
  replies,
  send,
  sessionStatus,
  startSession,
  TURN_TIMEOUT,
  waitForTurnEnd,
  waitUntilReady,
} from "../support/session.ts";
import { newUser, signUp, snap } from "../support/studio.ts";

test.describe.configure({ timeout: 240_000 });

const longReply = Array.from({ length: 40 }, (_, i) => `Sentence ${i + 1} of a long streamed answer.`).join(
  " ",
);

test("a reload mid-turn picks the stream up again without duplicates, and a second tab stays in sync", async ({
  page,
  context,
}, testInfo) => {
  await signUp(page, newUser("reloader"));
  await startSession(page);
  await waitUntilReady(page);
  const tag = marker();

  await script(tag, { steps: [{ text: longReply, chunkSize: 8 }], chunkDelayMs: 40 });
  await send(page, `${tag} stream a long answer`);
  await expect(replies(page).first()).toContainText("Sentence 3 of", { timeout: TURN_TIMEOUT });
  const attempts = await page.locator(".provisioning-card").count();
  await page.reload();
  // The whole history replays, then the live tail of the same turn keeps arriving.
  await expect(replies(page)).toHaveText([longReply], { timeout: TURN_TIMEOUT });
  await waitForTurnEnd(page);
  await expect(page.locator(".user-message")).toHaveCount(1);
  await expect(page.locator(".provisioning-card")).toHaveCount(attempts);
  await snap(page, testInfo, "after-reload");

  // A second tab on the same session sees what the first one sends, and answers for both.
  const second = await context.newPage();
  await second.goto(page.url());
  await expect(replies(second)).toHaveText([longReply]);
  await script(
    tag,
    [{ toolCall: { name: "bash", arguments: { command: "echo synced", description: "Print synced" } } }],
    [{ text: "Both tabs saw this." }],
  );
  await send(page, `${tag} run a command`);
  await expect(second.locator(".user-message").filter({ hasText: "run a command" })).toBeVisible();
  const permission = second.locator(".tool-card .permission-card");
  await expect(permission).toHaveAttribute("data-state", "waiting", { timeout: TURN_TIMEOUT });
  await permission.getByRole("button", { name: "Allow once" }).click();
  await expect(page.locator(".tool-card .permission-card .permission-decision")).toContainText("Allow once");
  for (const tab of [page, second]) {
    await expect(replies(tab).filter({ hasText: "Both tabs saw this." })).toBeVisible({
      timeout: TURN_TIMEOUT,
    });
    await expect(tab.locator(".tool-card")).toHaveAttribute("data-status", "completed");
  }
  await snap(second, testInfo, "second-tab");
  await second.close();

  // A dropped connection shows in the header only: the input stays usable (seed bug 5), and the
  // stream comes back on its own, from where it was.
  const indicator = page.locator(".connection-indicator");
  await expect(indicator).toHaveAttribute("data-connection", "live");
  await context.setOffline(true);
  await expect(indicator).toHaveAttribute("data-connection", "offline");
  await expect(composer(page)).toBeEnabled();
  await snap(page, testInfo, "offline");
  await context.setOffline(false);
  await expect(indicator).toHaveAttribute("data-connection", "live");
  await script(tag, [{ text: "Back online." }]);
  await send(page, `${tag} are you there?`);
  await expect(replies(page).filter({ hasText: "Back online." })).toBeVisible({ timeout: TURN_TIMEOUT });
  await expect(replies(page).filter({ hasText: "Both tabs saw this." })).toHaveCount(1);
});

test("stopping locks the input until the session is resumed, then the conversation continues", async ({
  page,
}, testInfo) => {
  await signUp(page, newUser("stopper"));
  const tag = marker();
  await script(tag, [{ text: "I will remember the word PINEAPPLE." }]);
  await startSession(page, `${tag} remember a word`);
  await waitUntilReady(page);
  await expect(replies(page).filter({ hasText: "PINEAPPLE" })).toBeVisible({ timeout: TURN_TIMEOUT });
  await waitForTurnEnd(page);

  await page.getByRole("button", { name: "Stop", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Stop this session?" });
  await snap(page, testInfo, "stop-confirmation");
  await dialog.getByRole("button", { name: "Stop session" }).click();
  await expect(dialog).toBeHidden();
  await expect(sessionStatus(page)).toHaveText("Stopped");
  await expect(composer(page)).toBeDisabled();
  await expect(page.locator(".system-notice", { hasText: "Session stopped" })).toBeVisible();
  await snap(page, testInfo, "stopped");

  await page.getByRole("button", { name: "Resume session" }).click();
  await expect(page.locator(".system-notice", { hasText: "Session resumed." })).toBeVisible();
  await expect(composer(page)).toBeEnabled();
  await waitUntilReady(page);
  await expect(page.locator(".provisioning-card").last()).toHaveAttribute("data-outcome", "ready");
  await script(tag, [{ text: "The word was PINEAPPLE." }]);
  await send(page, `${tag} what was the word?`);
  await expect(replies(page).filter({ hasText: "The word was PINEAPPLE." })).toBeVisible({
    timeout: TURN_TIMEOUT,
  });
  await snap(page, testInfo, "resumed");

  // The same conversation on a phone, in the dark theme.
  await page.setViewportSize({ width: 375, height: 812 });
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  await expect(replies(page).filter({ hasText: "The word was PINEAPPLE." })).toBeVisible();
  const width = await page.evaluate<number>("document.documentElement.scrollWidth");
  expect(width, "the session page scrolls sideways").toBeLessThanOrEqual(375);
  await snap(page, testInfo, "session-phone-dark");
  await expectNoSeriousA11yViolations(page, "a session on a phone (dark)");
});
