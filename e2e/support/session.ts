import { randomUUID } from "node:crypto";
import { expect, type Page } from "@playwright/test";

/**
 * Provisioning runs the real sandbox-agent and OpenCode: a few seconds, more on a busy machine, and
 * a start may wait for a free slot (PROVISIONING_CONCURRENCY) behind the other worker's sessions.
 */
export const PROVISION_TIMEOUT = 120_000;
/** A turn goes through OpenCode and the scripted model. */
export const TURN_TIMEOUT = 45_000;

/** A tag to put in prompts so the scripted model answers this test's prompts with this test's replies. */
export function marker(): string {
  return `[e2e-${randomUUID().slice(0, 8)}]`;
}

/** Picks the scripted model (the studio's OpenAI-compatible endpoint) on the config bar. */
export async function chooseScriptedModel(
  page: Page,
  environment: "Development" | "Production" = "Development",
) {
  await page.getByLabel("Provider").selectOption({ label: "OpenAI-compatible endpoint" });
  // The endpoint lists its models (issue 17): the config bar offers them in a list.
  await page.getByRole("combobox", { name: "Model", exact: true }).selectOption("scripted-1");
  await page.getByRole("group", { name: "Environment" }).getByText(environment, { exact: true }).click();
  await expect(page.getByRole("radio", { name: environment })).toBeChecked();
}

/** Starts a session from the config bar, optionally with a first message, and opens it. */
export async function startSession(page: Page, firstMessage?: string): Promise<string> {
  await page.goto("/");
  await chooseScriptedModel(page);
  if (firstMessage) await page.getByLabel("What should the agent work on?").fill(firstMessage);
  await page.getByRole("button", { name: "Start session" }).click();
  await page.waitForURL(/\/sessions\/[^/]+$/);
  return new URL(page.url()).pathname.split("/").pop() ?? "";
}

export function composer(page: Page) {
  return page.getByRole("textbox", { name: "Message the agent" });
}

export function sessionStatus(page: Page) {
  return page.locator(".session-status");
}

/** Waits until the session can take prompts; a failed provisioning fails the test with its reason. */
export async function waitUntilReady(page: Page) {
  await expect(sessionStatus(page)).toHaveText(/Ready|Idle|Failed/, { timeout: PROVISION_TIMEOUT });
  if ((await sessionStatus(page).textContent()) !== "Failed") return;
  const reason = await page.locator(".system-notice").last().textContent();
  throw new Error(`The session failed to start: ${reason ?? "no reason shown"}`);
}

export async function send(page: Page, text: string) {
  await composer(page).fill(text);
  await composer(page).press("Enter");
  await expect(page.locator(".user-message").filter({ hasText: text })).toBeVisible();
}

export function replies(page: Page) {
  return page.locator(".assistant-message .prose-chat");
}

export function conversation(page: Page) {
  return page.getByRole("region", { name: "Conversation" });
}

/** Waits until no turn runs any more (the composer offers no cancel). */
export async function waitForTurnEnd(page: Page) {
  await expect(page.getByRole("button", { name: "Cancel turn" })).toBeHidden({ timeout: TURN_TIMEOUT });
}
