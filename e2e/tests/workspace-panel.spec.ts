import { expect, type Page, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { script } from "../support/model-server.ts";
import {
  composer,
  marker,
  send,
  startSession,
  TURN_TIMEOUT,
  waitForTurnEnd,
  waitUntilReady,
} from "../support/session.ts";
import { newUser, signUp, snap } from "../support/studio.ts";

// A real agent writes a file while the panel watches: provisioning, two turns, a reload and a phone.
test.describe.configure({ timeout: 300_000 });

/** How long a completed tool call may take to show in the panel (the issue asks for a second). */
const LIVE_TIMEOUT = 5_000;

const panel = (page: Page) => page.getByRole("region", { name: "Workspace", exact: true });
const tree = (page: Page) => panel(page).getByRole("tree", { name: "Workspace files" });
const viewTab = (page: Page, name: "Files" | "File" | "Changes" | "Terminal" | "Previews") =>
  panel(page)
    .getByRole("tablist", { name: "Workspace views" })
    .getByRole("tab", { name: new RegExp(`^${name}\\b`) });

test("the workspace panel follows the agent's work, and links from the chat open it", async ({
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signUp(page, newUser("workspace"));
  await startSession(page);
  await waitUntilReady(page);
  const tag = marker();

  // The panel opens from the header, on the Files view, before the agent has written anything.
  const toggle = page.getByRole("button", { name: "Workspace panel", exact: true });
  await expect(toggle).toHaveAttribute("aria-pressed", "false");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-pressed", "true");
  await expect(tree(page)).toBeVisible();
  await expect(tree(page).locator('[data-path="notes.md"]')).toHaveCount(0);
  await snap(page, testInfo, "workspace-before");

  // The agent writes notes.md, then keeps the turn running: the panel must update from the tool
  // call's completion, not from the end of the turn.
  await script(
    tag,
    [
      {
        toolCall: { name: "write", arguments: { filePath: "notes.md", content: "# Notes\n\nfirst line\n" } },
      },
    ],
    [{ text: "Notes written, still working." }, { hang: true }],
  );
  await send(page, `${tag} write notes`);
  const permission = page.locator(".tool-card").last().locator(".permission-card");
  await expect(permission).toHaveAttribute("data-state", "waiting", { timeout: TURN_TIMEOUT });
  await permission.getByRole("button", { name: "Allow once" }).click();
  await expect(page.locator(".tool-card").last()).toHaveAttribute("data-status", "completed", {
    timeout: TURN_TIMEOUT,
  });
  const completedAt = Date.now();
  const notes = tree(page).locator('[data-path="notes.md"]');
  await expect(notes).toBeVisible({ timeout: LIVE_TIMEOUT });
  const shownAfter = Date.now() - completedAt;
  testInfo.annotations.push({ type: "tool-to-tree", description: `${shownAfter} ms` });
  console.log(`notes.md showed in the tree ${shownAfter} ms after its tool card completed`);
  await expect(notes).toHaveAttribute("data-change", "added");
  await expect(notes.locator(".change-mark")).toHaveText(/A/);
  await expect(page.getByRole("button", { name: "Cancel turn" })).toBeVisible();

  // The Changes view lists it with its counts, while the turn still runs.
  await expect(viewTab(page, "Changes").locator(".changes-count")).toHaveText("1", { timeout: LIVE_TIMEOUT });
  await viewTab(page, "Changes").click();
  const row = panel(page).locator('.change-row[data-path="notes.md"]');
  await expect(row).toContainText("+3");
  await expect(panel(page).locator(".changes-totals")).toContainText("1 file changed");
  await expect(panel(page).getByRole("link", { name: "Download patch" })).toHaveAttribute(
    "href",
    /\/api\/sessions\/[^/]+\/changes\.patch$/,
  );
  await snap(page, testInfo, "workspace-changes");
  await expectNoSeriousA11yViolations(page, "the workspace panel's change list");

  // Its diff, unified then split.
  await row.click();
  const diff = panel(page).getByRole("region", { name: "Changes in notes.md" });
  await expect(diff.locator('.diff-line[data-kind="add"]').filter({ hasText: "first line" })).toBeVisible();
  await panel(page).getByRole("button", { name: "Split" }).click();
  await expect(panel(page).getByRole("button", { name: "Split" })).toHaveAttribute("aria-pressed", "true");
  await expect(diff.locator('.diff-line[data-kind="add"]').filter({ hasText: "first line" })).toBeVisible();
  await snap(page, testInfo, "workspace-diff-split");
  await expectNoSeriousA11yViolations(page, "a diff in the workspace panel");

  await composer(page).press("Escape");
  await waitForTurnEnd(page);

  // The tool card's path opens the file; its diff's header opens the change.
  const card = page.locator(".tool-card").filter({ hasText: "notes.md" }).last();
  const location = card.getByRole("button", { name: "Open notes.md" });
  if ((await location.count()) > 0) await location.first().click();
  else await panel(page).getByRole("button", { name: "Open notes.md" }).click();
  await expect(viewTab(page, "File")).toHaveAttribute("aria-selected", "true");
  const content = panel(page).getByRole("region", { name: "Content of notes.md" });
  await expect(content).toContainText("first line");
  await expect(content.locator(".hljs").first()).toBeVisible();
  await snap(page, testInfo, "workspace-file");
  await card.locator(".diff-open-change").first().click();
  await expect(viewTab(page, "Changes")).toHaveAttribute("aria-selected", "true");
  await expect(diff).toContainText("first line");

  // A reload shows the same: the panel open, on the same change.
  await page.reload();
  await expect(panel(page).getByRole("region", { name: "Changes in notes.md" })).toContainText("first line", {
    timeout: TURN_TIMEOUT,
  });
  await viewTab(page, "Files").click();
  await expect(tree(page).locator('[data-path="notes.md"]')).toHaveAttribute("data-change", "added");

  // The tree works from the keyboard: the last row is a file (files sort after folders), Enter opens it.
  await tree(page).focus();
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  await expect(viewTab(page, "File")).toHaveAttribute("aria-selected", "true");
  await expectNoSeriousA11yViolations(page, "the workspace panel's file view");

  // On a phone the workspace is a tab beside the chat, and stays usable.
  await page.setViewportSize({ width: 375, height: 812 });
  const views = page.getByRole("tablist", { name: "Session views" });
  await expect(views).toBeVisible();
  await expect(toggle).toBeHidden();
  await views.getByRole("tab", { name: "Workspace" }).click();
  // Every view's tab stays in sight on a narrow panel: icons, still named for screen readers.
  const viewsBox = (await panel(page).getByRole("tablist", { name: "Workspace views" }).boundingBox())!;
  for (const name of ["Files", "File", "Changes", "Terminal", "Previews"] as const) {
    const box = (await viewTab(page, name).boundingBox())!;
    expect(box.x + box.width, `the ${name} tab is in sight`).toBeLessThanOrEqual(
      viewsBox.x + viewsBox.width + 0.5,
    );
  }
  await viewTab(page, "Files").click();
  await expect(tree(page).locator('[data-path="notes.md"]')).toBeVisible();
  await tree(page).locator('[data-path="notes.md"]').click();
  await expect(panel(page).getByRole("region", { name: "Content of notes.md" })).toContainText("first line");
  expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
  await snap(page, testInfo, "workspace-phone-file");
  // The Changes view kept the diff last opened; back to the list from there.
  await viewTab(page, "Changes").click();
  await expect(panel(page).getByRole("region", { name: "Changes in notes.md" })).toContainText("first line");
  await snap(page, testInfo, "workspace-phone-diff");
  await panel(page).getByRole("button", { name: "All changes" }).click();
  await expect(panel(page).locator(".changes-totals")).toContainText("1 file changed");
  await snap(page, testInfo, "workspace-phone-changes");
  await expectNoSeriousA11yViolations(page, "the workspace tab on a phone");
  await views.getByRole("tab", { name: "Chat" }).click();
  await expect(composer(page)).toBeVisible();
  await snap(page, testInfo, "workspace-phone-chat");

  // Stopped, the workspace cannot be read: the panel says so and offers to resume.
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await page.getByRole("button", { name: "Stop session" }).click();
  await expect(panel(page).locator(".workspace-unavailable")).toContainText("Resume the session", {
    timeout: TURN_TIMEOUT,
  });
  await expect(panel(page).getByRole("button", { name: "Resume session" })).toBeVisible();
  await snap(page, testInfo, "workspace-stopped");
  await expectNoSeriousA11yViolations(page, "the workspace panel of a stopped session");
});
