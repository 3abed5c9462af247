import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { script } from "../support/model-server.ts";
import {
  composer,
  marker,
  replies,
  send,
  startSession,
  TURN_TIMEOUT,
  waitForTurnEnd,
  waitUntilReady,
} from "../support/session.ts";
import { newUser, signUp, snap } from "../support/studio.ts";

// One long walk through a conversation (a reload, phone and dark checks among it) on real agents:
// on a busy machine with another spec beside it, it has run past four minutes.
test.describe.configure({ timeout: 360_000 });

const bash = (command: string, description: string) => ({
  toolCall: { name: "bash", arguments: { command, description } },
});

test("thinking, tool calls with permissions, and cancelling a turn", async ({ page }, testInfo) => {
  await signUp(page, newUser("talker"));
  await startSession(page);
  await waitUntilReady(page);
  const tag = marker();

  // Thinking and message alternate within one reply: each run is its own block, in order.
  await script(tag, [
    { reasoning: "First I look at the files." },
    { text: "I looked at the files." },
    { reasoning: "Now I decide what to change." },
    { text: "Here is what I will change." },
  ]);
  await send(page, `${tag} think out loud`);
  await expect(replies(page).filter({ hasText: "Here is what I will change." })).toBeVisible({
    timeout: TURN_TIMEOUT,
  });
  await waitForTurnEnd(page);
  const blocks = page.locator(".thinking-block, .assistant-message");
  await expect(blocks).toHaveCount(4);
  expect(
    await blocks.evaluateAll((nodes) =>
      nodes.map((node) => (node.classList.contains("thinking-block") ? "thinking" : "message")),
    ),
  ).toEqual(["thinking", "message", "thinking", "message"]);
  await expect(blocks.nth(2)).toContainText("Now I decide what to change.");
  await snap(page, testInfo, "thinking-blocks");

  // A tool call waits for permission, runs once allowed, and its card ends completed.
  await script(
    tag,
    [
      { text: "I will write the file." },
      bash("echo approved > approved.txt && cat approved.txt", "Write approved.txt"),
    ],
    [{ text: "The file is written." }],
  );
  await send(page, `${tag} write a file`);
  // The request sits inside the card of the tool call it is about, not below it.
  const tool = page.locator(".tool-card").first();
  const permission = tool.locator(".permission-card");
  await expect(permission).toHaveAttribute("data-state", "waiting", { timeout: TURN_TIMEOUT });
  await expect(page.locator(".permission-card")).toHaveCount(1);
  await expect(tool).toHaveAttribute("data-status", /pending|in_progress/);
  await expect(tool.locator(".tool-status")).toContainText(/Pending|Running/);
  await expect(permission.getByRole("button", { name: "Reject" })).toBeVisible();
  await snap(page, testInfo, "permission-waiting");
  await expectNoSeriousA11yViolations(page, "a session waiting for permission");
  // The same card on a phone, light and dark: the buttons wrap inside the tool card.
  await page.setViewportSize({ width: 375, height: 812 });
  await permission.scrollIntoViewIfNeeded();
  await snap(page, testInfo, "permission-waiting-phone");
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
  await snap(page, testInfo, "permission-waiting-phone-dark");
  await expectNoSeriousA11yViolations(page, "a permission request on a phone (dark)");
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.emulateMedia({ colorScheme: "light" });
  // A waiting request comes back with the replayed history: still answerable after a reload.
  await page.reload();
  await expect(permission).toHaveAttribute("data-state", "waiting", { timeout: TURN_TIMEOUT });
  await permission.getByRole("button", { name: "Allow once" }).click();
  await expect(permission.locator(".permission-decision")).toContainText("Allow once");
  await expect(permission.locator(".permission-decision")).toContainText("answered by you");
  await expect(tool).toHaveAttribute("data-status", "completed", { timeout: TURN_TIMEOUT });
  await expect(tool.getByText("approved", { exact: true })).toBeVisible();
  await expect(replies(page).filter({ hasText: "The file is written." })).toBeVisible({
    timeout: TURN_TIMEOUT,
  });
  await waitForTurnEnd(page);
  await snap(page, testInfo, "tool-completed");

  // Rejected: the tool call fails and the card says who decided.
  await script(tag, [bash("echo nope > rejected.txt", "Write rejected.txt")]);
  await send(page, `${tag} write another file`);
  const secondTool = page.locator(".tool-card").nth(1);
  const second = secondTool.locator(".permission-card");
  await expect(second).toHaveAttribute("data-state", "waiting", { timeout: TURN_TIMEOUT });
  await second.getByRole("button", { name: "Reject" }).click();
  await expect(second.locator(".permission-decision")).toContainText("Reject");
  await expect(secondTool).toHaveAttribute("data-status", "failed", { timeout: TURN_TIMEOUT });
  await expect(page.locator(".permission-card")).toHaveCount(2);
  await waitForTurnEnd(page);
  await snap(page, testInfo, "tool-rejected");

  // The agent asks a question: the card takes the answer, then shows it, and the turn goes on.
  await script(
    tag,
    [
      {
        toolCall: {
          name: "question",
          arguments: {
            questions: [
              {
                question: "Which colour should the button be?",
                header: "Colour",
                options: [
                  { label: "Red", description: "A warm colour" },
                  { label: "Blue", description: "A cool colour" },
                ],
              },
            ],
          },
        },
      },
    ],
    [{ text: "Red it is." }],
  );
  await send(page, `${tag} pick a colour`);
  const question = page.locator(".question-card");
  await expect(question).toHaveAttribute("data-state", "waiting", { timeout: TURN_TIMEOUT });
  await snap(page, testInfo, "question-waiting");
  await question.getByText("Red", { exact: true }).click();
  await question.getByRole("button", { name: "Send answer" }).click();
  await expect(question).toHaveAttribute("data-state", "answered");
  await expect(question.locator(".question-answer")).toHaveText("Red");
  await expect(replies(page).filter({ hasText: "Red it is." })).toBeVisible({ timeout: TURN_TIMEOUT });
  await waitForTurnEnd(page);

  // An edit shows its unified diff in its tool card, which holds the permission request too.
  await script(
    tag,
    [
      {
        toolCall: { name: "write", arguments: { filePath: "notes.md", content: "# Notes\n\nfirst line\n" } },
      },
    ],
    [{ text: "Notes written." }],
  );
  await send(page, `${tag} write notes`);
  const editPermission = page.locator(".tool-card").last().locator(".permission-card");
  await expect(editPermission).toHaveAttribute("data-state", "waiting", { timeout: TURN_TIMEOUT });
  await expect(page.locator(".tool-card").last().locator("figure")).toContainText("notes.md");
  await editPermission.getByRole("button", { name: "Allow once" }).click();
  await expect(replies(page).filter({ hasText: "Notes written." })).toBeVisible({ timeout: TURN_TIMEOUT });
  const diff = page.locator(".tool-card figure").last();
  await expect(diff).toContainText("notes.md");
  await expect(diff).toContainText("+3");
  await expect(diff.locator("tr").filter({ hasText: "first line" })).toBeVisible();
  await waitForTurnEnd(page);
  await snap(page, testInfo, "edit-diff");

  // A turn that would run forever is cancelled with Escape; the input stays usable.
  await script(tag, [{ text: "I will talk for a very long time" }, { hang: true }]);
  await send(page, `${tag} talk forever`);
  await expect(replies(page).filter({ hasText: "I will talk for a very long time" })).toBeVisible({
    timeout: TURN_TIMEOUT,
  });
  await expect(page.getByRole("button", { name: "Cancel turn" })).toBeVisible();
  await composer(page).press("Escape");
  await expect(page.locator(".system-notice", { hasText: "Turn cancelled." })).toBeVisible({
    timeout: TURN_TIMEOUT,
  });
  await waitForTurnEnd(page);
  await expect(composer(page)).toBeEnabled();
  await snap(page, testInfo, "turn-cancelled");
});
