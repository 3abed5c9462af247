import { expect, test } from "@playwright/test";
import { script } from "../support/model-server.ts";
import {
  chooseScriptedModel,
  marker,
  replies,
  sessionStatus,
  startSession,
  TURN_TIMEOUT,
  waitUntilReady,
} from "../support/session.ts";
import { newUser, signUp, snap } from "../support/studio.ts";

test.describe.configure({ timeout: 180_000 });

test("the model picker defaults from the catalogue, resets with the provider and explains what is missing", async ({
  page,
}, testInfo) => {
  await signUp(page, newUser("picker"));
  const provider = page.getByLabel("Provider");
  const model = page.getByLabel("Model");
  const start = page.getByRole("button", { name: "Start session" });

  await expect(provider).toHaveValue("xai");
  await expect(model).toHaveValue("grok-4-1-fast");
  await expect(model.locator("optgroup")).toHaveCount(2);
  await expect(model.locator("optgroup").first()).toHaveAttribute("label", "Fast");
  // A fresh organisation has no keys and no credits: the model says why and where to fix it.
  const missing = page.getByRole("status").filter({ hasText: "Grok 4.1 Fast can't be used now" });
  await expect(missing).toBeVisible();
  await expect(missing.getByRole("link", { name: "Set up provider keys" })).toHaveAttribute(
    "href",
    "/settings/keys",
  );
  await expect(start).toBeDisabled();
  await snap(page, testInfo, "picker-default");

  await model.selectOption("grok-4");
  await provider.selectOption("anthropic");
  await expect(model).toHaveValue("claude-haiku-4-5");
  await expect(model.locator("optgroup")).toHaveText([
    "Claude Haiku 4.5",
    /Claude Sonnet 4/,
    "Claude Opus 4.6",
  ]);
  await expect(model.locator("optgroup").nth(2)).toHaveAttribute("label", "Premium");
  await provider.selectOption("xai");
  await expect(model).toHaveValue("grok-4-1-fast");

  // The endpoint lists its models, so the first one is chosen (endpoint-models.spec.ts has the rest).
  await provider.selectOption({ label: "OpenAI-compatible endpoint" });
  await expect(model).toHaveValue("scripted-1");
  await expect(start).toBeEnabled();
  await expect(page.getByRole("status").filter({ hasText: "can't be used now" })).toHaveCount(0);
});

test("the sessions sidebar lists, filters and reopens sessions with their history", async ({
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signUp(page, newUser("lister"));
  const tag = marker();
  await script(tag, [{ text: "Development reply." }]);
  const development = await startSession(page, `${tag} development work`);
  await waitUntilReady(page);
  await expect(replies(page).filter({ hasText: "Development reply." })).toBeVisible({
    timeout: TURN_TIMEOUT,
  });
  // The list follows the session as its turn ends (well before its 15 s refresh).
  const sidebar = page.getByRole("complementary", { name: "Sessions" });
  const links = sidebar.getByRole("navigation", { name: "Sessions" }).getByRole("link");
  await expect(sessionStatus(page)).toHaveText(/Idle|Ready/);
  await expect(links.first()).toContainText(/Idle|Ready/, { timeout: 5_000 });

  await page.goto("/");
  await chooseScriptedModel(page, "Production");
  await page.getByLabel("What should the agent work on?").fill(`${tag} production work`);
  await page.getByRole("button", { name: "Start session" }).click();
  await page.waitForURL(/\/sessions\//);

  await expect(links).toHaveCount(2);
  await expect(links.first()).toContainText("production work");
  await expect(links.first()).toContainText("Prod");
  await sidebar.getByLabel("Environment").selectOption("development");
  await expect(links).toHaveCount(1);
  await expect(links.first()).toContainText("development work");
  await sidebar.getByLabel("Status").selectOption("stopped");
  await expect(sidebar.getByText("No sessions match")).toBeVisible();
  await sidebar.getByLabel("Status").selectOption("running");
  await expect(links).toHaveCount(1);
  await snap(page, testInfo, "sessions-filtered");

  await links.first().click();
  await expect(page).toHaveURL(new RegExp(`/sessions/${development}$`));
  await expect(page.getByRole("heading", { level: 1 })).toContainText("development work");
  await expect(replies(page)).toHaveText(["Development reply."], { timeout: TURN_TIMEOUT });
  await expect(page.locator(".provisioning-card").last()).toHaveAttribute("data-outcome", "ready");
});

test("keepalives hold the session, and an idle warning counts down with a way to keep working", async ({
  page,
}, testInfo) => {
  // The browser's clock can be moved forward; the studio's own clock is untouched.
  await page.clock.install();
  await signUp(page, newUser("idler"));
  const keepalive = () => page.waitForResponse((response) => response.url().includes("sessions.keepalive"));
  const firstKeepalive = keepalive();
  await startSession(page);
  await waitUntilReady(page);
  // The page sends one as soon as the session is ready, since the person was active just before.
  expect((await firstKeepalive).ok()).toBe(true);
  const warning = page.locator(".idle-warning");
  await expect(warning).toBeHidden();

  // Fourteen quiet minutes of a fifteen-minute timeout later, the page warns with a countdown.
  await page.clock.fastForward("14:00");
  await expect(warning).toBeVisible();
  await expect(warning).toContainText(/stops for inactivity in [01]:\d\d/);
  await snap(page, testInfo, "idle-warning");
  const kept = keepalive();
  await warning.getByRole("button", { name: "Keep working" }).click();
  expect((await kept).ok()).toBe(true);
  await expect(warning).toBeHidden();
});
