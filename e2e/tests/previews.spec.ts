import { expect, type Page, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { script } from "../support/model-server.ts";
import {
  marker,
  replies,
  send,
  startSession,
  TURN_TIMEOUT,
  waitForTurnEnd,
  waitUntilReady,
} from "../support/session.ts";
import { newUser, signUp, snap } from "../support/studio.ts";

// A real agent starts a web server in its sandbox; the person finds it in Previews and opens it.
test.describe.configure({ timeout: 300_000 });

const panel = (page: Page) => page.getByRole("region", { name: "Workspace", exact: true });
const previewsTab = (page: Page) =>
  panel(page).getByRole("tablist", { name: "Workspace views" }).getByRole("tab", { name: "Previews" });

test("the agent starts a web server, its preview opens in a new tab, and a shared link opens it for anyone", async ({
  page,
  context,
  browser,
}, testInfo) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signUp(page, newUser("previews"));
  await page.goto("/settings/organization");
  await page.getByLabel("Previews may be shared by link").check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Organisation settings saved.")).toBeVisible();
  await startSession(page);
  await waitUntilReady(page);
  const tag = marker();
  // A local sandbox shares the host's loopback: a port of its own, so parallel runs do not collide.
  const port = 20_000 + Math.floor(Math.random() * 20_000);

  // Before the agent runs anything, nothing listens.
  await page.getByRole("button", { name: "Workspace panel", exact: true }).click();
  await previewsTab(page).click();
  await expect(panel(page).getByText("Nothing listens yet. When the agent starts a server")).toBeVisible({
    timeout: TURN_TIMEOUT,
  });
  await snap(page, testInfo, "previews-empty");

  await script(
    tag,
    [
      {
        toolCall: {
          name: "bash",
          arguments: {
            // As a model writes it: in the background, its output not redirected.
            command: `mkdir -p site && echo '<h1>Hello preview</h1>' > site/index.html && (cd site && python3 -m http.server ${port} &)`,
            description: "Serve the site",
          },
        },
      },
    ],
    [{ text: "The site is served." }],
  );
  await send(page, `${tag} serve the site`);
  const permission = page.locator(".tool-card").last().locator(".permission-card");
  await expect(permission).toHaveAttribute("data-state", "waiting", { timeout: TURN_TIMEOUT });
  await permission.getByRole("button", { name: "Allow once" }).click();
  // The call ends with its command, while the server it started keeps running (the studio's shell
  // for OpenCode's bash tool), and the turn ends with the agent's reply.
  await expect(page.locator(".tool-card").last()).toHaveAttribute("data-status", "completed", {
    timeout: TURN_TIMEOUT,
  });
  await expect(replies(page).last()).toContainText("The site is served.", { timeout: TURN_TIMEOUT });
  await waitForTurnEnd(page);

  // The list refreshes by itself: the port appears without a click.
  const list = panel(page).getByRole("list", { name: "Previews" });
  const row = list.locator(`[data-port="${port}"]`);
  await expect(row).toBeVisible({ timeout: TURN_TIMEOUT });
  await expect(row).toContainText(String(port));
  const link = row.getByRole("link", { name: `Open preview of port ${port}` });
  await expect(link).toHaveAttribute("target", "_blank");
  await expect(link).toHaveAttribute("rel", "noopener");
  await panel(page).getByRole("button", { name: "Refresh previews" }).click();
  await expect(row).toBeVisible();
  await snap(page, testInfo, "previews-listed");
  await expectNoSeriousA11yViolations(page, "the previews list");

  const [preview] = await Promise.all([context.waitForEvent("page"), link.click()]);
  await expect(preview.getByRole("heading", { name: "Hello preview" })).toBeVisible({ timeout: 15_000 });
  await snap(preview, testInfo, "previews-opened");
  await preview.close();

  // A link for someone without an account: it opens the preview in a browser that never signed in.
  await row.getByRole("button", { name: `Share preview of port ${port}` }).click();
  const dialog = page.getByRole("dialog", { name: `Share the preview of port ${port}` });
  await dialog.getByLabel("Link expires after").selectOption({ label: "1 hour" });
  await dialog.getByRole("button", { name: "Create link" }).click();
  const shared = await dialog.getByRole("textbox", { name: "Preview link" }).inputValue();
  await snap(page, testInfo, "previews-shared");
  await dialog.getByRole("button", { name: "Done" }).click();
  const stranger = await browser.newContext();
  const strangerPage = await stranger.newPage();
  await strangerPage.goto(shared);
  await expect(strangerPage.getByRole("heading", { name: "Hello preview" })).toBeVisible({ timeout: 15_000 });
  await stranger.close();

  // Stopped, there is nothing to preview: the list says so and offers to resume.
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await page.getByRole("button", { name: "Stop session" }).click();
  await expect(panel(page).locator(".previews-unavailable")).toContainText("The session is stopped", {
    timeout: TURN_TIMEOUT,
  });
  await expect(panel(page).getByRole("button", { name: "Resume session" })).toBeVisible();
  await snap(page, testInfo, "previews-stopped");
});
