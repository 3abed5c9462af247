import { expect, test } from "@playwright/test";
import { script } from "../support/model-server.ts";
import {
  chooseScriptedModel,
  marker,
  replies,
  send,
  sessionStatus,
  TURN_TIMEOUT,
  waitUntilReady,
} from "../support/session.ts";
import { newUser, signUp, snap } from "../support/studio.ts";

test.describe.configure({ timeout: 180_000 });

test("starts a session from the config bar, shows provisioning live, then locks the configuration", async ({
  page,
}, testInfo) => {
  await signUp(page, newUser("starter"));
  await chooseScriptedModel(page, "Production");
  const tag = marker();
  await script(tag, [
    { text: "## Plan\n\n- read the code\n- **fix** it\n\n```ts\nconst answer: number = 42;\n```\n" },
  ]);
  await page.getByLabel("What should the agent work on?").fill(`${tag} make a plan`);
  await page.getByRole("button", { name: "Start session" }).click();
  await page.waitForURL(/\/sessions\//);

  const provisioning = page.locator(".provisioning-card").first();
  await expect(provisioning).toBeVisible();
  await snap(page, testInfo, "provisioning");
  await waitUntilReady(page);
  await expect(page.locator(".provisioning-card").last()).toHaveAttribute("data-outcome", "ready");
  await expect(replies(page).locator("h2", { hasText: "Plan" })).toBeVisible({ timeout: TURN_TIMEOUT });
  await expect(replies(page).locator(".hljs-keyword").first()).toHaveText("const");
  await expect(sessionStatus(page)).toHaveText(/Ready|Idle/);
  await snap(page, testInfo, "markdown-reply");

  const config = page.getByRole("list", { name: "Session configuration" });
  await expect(config).toContainText("OpenAI-compatible endpoint");
  await expect(config).toContainText("scripted-1");
  await expect(config).toContainText("Production");
  await expect(page.getByLabel("Provider")).toHaveCount(0);
  await send(page, `${tag} again`);
});
