import { expect, type Page, type TestInfo, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { LOCAL_TAG, localOnly } from "../support/local-only.ts";
import { script } from "../support/model-server.ts";
import { makePlatformAdmin } from "../support/platform.ts";
import {
  composer,
  marker,
  replies,
  send,
  sessionStatus,
  TURN_TIMEOUT,
  waitForTurnEnd,
  waitUntilReady,
} from "../support/session.ts";
import { newUser, signUp, snap } from "../support/studio.ts";

localOnly(
  "agents.spec.ts",
  "makes its account a platform admin with `pnpm platform-admin` on the studio's machine",
);

// Claude Code and Codex beside OpenCode (issue 21): a person picks the agent on the config bar, sees
// which providers can serve it, and runs a shell command through it with their permission. Each
// test starts a real agent in a real sandbox: minutes on a busy machine.
test.describe.configure({ timeout: 300_000 });

const agentSelect = (page: Page) => page.getByLabel("Agent", { exact: true });
const providerSelect = (page: Page) => page.getByLabel("Provider", { exact: true });
const modelSelect = (page: Page) => page.getByRole("combobox", { name: "Model", exact: true });
const agentNote = (page: Page) => page.getByTestId("agent-note");
const sessionConfig = (page: Page) => page.getByRole("list", { name: "Session configuration" });
/** A limit of the session's agent, said above the composer where it matters. */
const agentLimit = (page: Page, feature: "questions" | "resume") =>
  page.locator(`.agent-limit[data-feature="${feature}"]`);

/** The provider options as the select shows them: label and whether it can be picked. */
async function providerChoices(page: Page): Promise<{ label: string; disabled: boolean }[]> {
  return providerSelect(page)
    .locator("option")
    .evaluateAll((options) =>
      options.map((option) => ({
        label: option.textContent ?? "",
        disabled: option.hasAttribute("disabled"),
      })),
    );
}

/** The provider option whose label starts with `name`. */
function choice(choices: { label: string; disabled: boolean }[], name: string) {
  return choices.find((option) => option.label.startsWith(name));
}

/** The platform admin grants their organisation platform credits on Settings → Credits & prices. */
async function grantPlatformCredits(page: Page, usd: string) {
  await page.goto("/settings/billing");
  await page.getByRole("button", { name: "Grant or adjust" }).click();
  const grant = page.getByRole("dialog", { name: "Grant or adjust credits" });
  await grant.getByLabel("Amount (USD)").fill(usd);
  await grant.getByLabel("Reason").fill("E2E agents");
  await grant.getByRole("button", { name: "Grant credits" }).click();
  await expect(grant).toBeHidden();
  await expect(page.getByTestId("credit-balance")).toHaveText(`$${usd}`);
}

/**
 * The config bar at a laptop's and a phone's width, scrolled to the agent's note (the full-page
 * capture cannot reach inside the scrolling main area); the form never overflows sideways.
 */
async function snapConfigBar(page: Page, testInfo: TestInfo, name: string) {
  for (const [suffix, width, height] of [
    ["", 1280, 720],
    ["-phone", 375, 812],
  ] as const) {
    await page.setViewportSize({ width, height });
    await agentNote(page).scrollIntoViewIfNeeded();
    const overflow = await agentSelect(page).evaluate((select) => {
      const form = select.closest("form") ?? select.ownerDocument.body;
      return form.scrollWidth - form.clientWidth;
    });
    expect(overflow, `the new-session form overflows at ${width}px`).toBeLessThanOrEqual(0);
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(width);
    await snap(page, testInfo, `${name}${suffix}`);
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

/**
 * Runs one scripted shell command through the agent: the permission request waits, is allowed, the
 * command's tool card ends completed with its output, and the agent's reply follows.
 */
async function approveScriptedCommand(
  page: Page,
  testInfo: TestInfo,
  agent: string,
  options: {
    toolCall: { name: string; arguments: Record<string, unknown> };
    /** The "allow once" option as the agent names it. */
    allow: string;
  },
) {
  const tag = marker();
  const reply = `${agent} wrote approved.txt.`;
  await script(tag, [{ text: "I will write the file." }, { toolCall: options.toolCall }], [{ text: reply }]);
  await send(page, `${tag} write a file`);
  const tool = page.locator(".tool-card").first();
  // codex-acp asks before announcing the call: the runner shows the call first all the same.
  const permission = tool.locator(".permission-card");
  await expect(permission).toHaveAttribute("data-state", "waiting", { timeout: TURN_TIMEOUT });
  await expect(page.locator(".permission-card")).toHaveCount(1);
  await expect(tool).toContainText("echo approved > approved.txt && cat approved.txt");
  // Nothing has run yet, so nothing shows as its output (Claude Code sends the description as content).
  await expect(page.locator('pre[data-label="Command output"]')).toHaveCount(0);
  await snap(page, testInfo, `${agent}-permission`);
  await expectNoSeriousA11yViolations(page, `${agent} asking for permission`);
  await page.setViewportSize({ width: 375, height: 812 });
  await permission.scrollIntoViewIfNeeded();
  expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
  await snap(page, testInfo, `${agent}-permission-phone`);
  await page.setViewportSize({ width: 1280, height: 720 });
  await permission.getByRole("button", { name: options.allow, exact: true }).click();
  await expect(permission.locator(".permission-decision")).toContainText(options.allow);
  await expect(permission.locator(".permission-decision")).toContainText("answered by you");
  await expect(tool).toHaveAttribute("data-status", "completed", { timeout: TURN_TIMEOUT });
  // The request ends up in the card of the call it was about, and the output shows as a terminal's,
  // whatever wrapping the agent sent it in.
  await expect(tool.locator(".permission-card")).toBeVisible();
  await expect(tool.locator('pre[data-label="Command output"]')).toHaveText("approved");
  await expect(replies(page).filter({ hasText: reply })).toBeVisible({ timeout: TURN_TIMEOUT });
  await waitForTurnEnd(page);
  await snap(page, testInfo, `${agent}-completed`);
}

const sessionLinks = (page: Page) =>
  page
    .getByRole("complementary", { name: "Sessions" })
    .getByRole("navigation", { name: "Sessions" })
    .getByRole("link");

test(
  "Claude Code: only providers speaking Anthropic Messages; a Bash command run with permission",
  { tag: LOCAL_TAG },
  async ({ page }, testInfo) => {
    // Anthropic is a platform provider here (answered by the scripted model server): the organisation
    // pays with platform credits, which only a platform admin can grant.
    const operator = newUser("claude");
    await signUp(page, operator);
    await makePlatformAdmin(operator.email);
    await page.reload();
    await grantPlatformCredits(page, "5.00");
    await page.goto("/");

    await agentSelect(page).selectOption({ label: "Claude Code" });
    await expect(agentNote(page)).toContainText(
      "Claude Code: Anthropic's coding agent; needs a provider that speaks the Anthropic Messages API.",
    );
    await expect(agentSelect(page)).toHaveAccessibleDescription(/Anthropic's coding agent/);
    // Anthropic and xAI serve the Anthropic Messages API; OpenAI, Google and the endpoint do not.
    const choices = await providerChoices(page);
    expect(choice(choices, "Anthropic")).toEqual({ label: "Anthropic", disabled: false });
    expect(choice(choices, "xAI")?.disabled).toBe(false);
    for (const name of ["OpenAI", "Google", "OpenAI-compatible endpoint"]) {
      expect(choice(choices, `${name} (`), name).toEqual({
        label: `${name} (not for Claude Code)`,
        disabled: true,
      });
    }
    // The providers it cannot use by name, and each one's reason on asking.
    await expect(agentNote(page)).toContainText(
      "Not for Claude Code: OpenAI, Google, OpenAI-compatible endpoint",
    );
    await agentNote(page).getByText("Not for Claude Code:").click();
    await expect(page.getByRole("list", { name: "Not for Claude Code" })).toContainText(
      "Claude Code speaks only Anthropic Messages; OpenAI's gateway route serves OpenAI Responses and OpenAI Chat Completions.",
    );
    await expect(agentNote(page)).toContainText("Claude Code cannot ask you questions during a turn.");
    // Claude Code continues its own conversation when resumed: nothing to say about that.
    await expect(agentNote(page)).not.toContainText("resumed");
    await providerSelect(page).selectOption("anthropic");
    await modelSelect(page).selectOption("claude-haiku-4-5");
    await expect(page.getByTestId("key-source")).toContainText("Platform credits");
    await expect(page.getByRole("button", { name: "Start session" })).toBeEnabled();
    await expectNoSeriousA11yViolations(page, "the config bar with Claude Code");
    await snapConfigBar(page, testInfo, "claude-config-bar");

    await page.getByRole("button", { name: "Start session" }).click();
    await page.waitForURL(/\/sessions\/[^/]+$/);
    await expect(sessionConfig(page).locator(".session-agent")).toHaveText("Agent: Claude Code");
    // The sessions list names the agent too.
    await expect(sessionLinks(page).first()).toContainText("Claude Code");
    await expect(sessionConfig(page)).toContainText("Claude Haiku 4.5");
    await waitUntilReady(page);
    // Before the first instruction: this agent will not stop to ask, so the instruction should settle things.
    await expect(agentLimit(page, "questions")).toHaveText(
      "Claude Code cannot ask you questions during a turn.",
    );
    await snap(page, testInfo, "claude-session-ready");

    await approveScriptedCommand(page, testInfo, "claude", {
      toolCall: {
        name: "Bash",
        arguments: {
          command: "echo approved > approved.txt && cat approved.txt",
          description: "Write approved.txt",
        },
      },
      allow: "Allow",
    });
    await expect(agentLimit(page, "questions")).toHaveCount(0);
  },
);

test(
  "Codex: an OpenAI Responses endpoint; a shell command run with permission; resumed, it goes on",
  { tag: LOCAL_TAG },
  async ({ page }, testInfo) => {
    // The studio's OpenAI-compatible endpoint (the scripted model server) serves the Responses API.
    await signUp(page, newUser("codex"));
    await page.goto("/");

    await agentSelect(page).selectOption({ label: "Codex" });
    await expect(agentNote(page)).toContainText(
      "Codex: OpenAI's coding agent; needs a provider that speaks the OpenAI Responses API.",
    );
    const choices = await providerChoices(page);
    for (const name of ["Anthropic", "Google"]) {
      expect(choice(choices, name), name).toEqual({ label: `${name} (not for Codex)`, disabled: true });
    }
    expect(choice(choices, "OpenAI-compatible endpoint")?.disabled).toBe(false);
    await providerSelect(page).selectOption({ label: "OpenAI-compatible endpoint" });
    await modelSelect(page).selectOption("scripted-1");
    // The studio cannot know ahead whether an OpenAI-compatible server speaks the Responses API.
    await expect(agentNote(page)).toContainText("Only if the endpoint serves the OpenAI Responses API.");
    // Codex loads its own conversation back on resume: nothing to say about that.
    await expect(agentNote(page)).not.toContainText("resumed");
    await snapConfigBar(page, testInfo, "codex-config-bar");

    await page.getByRole("button", { name: "Start session" }).click();
    await page.waitForURL(/\/sessions\/[^/]+$/);
    await expect(sessionConfig(page).locator(".session-agent")).toHaveText("Agent: Codex");
    // The sessions list names the agent too.
    await expect(sessionLinks(page).first()).toContainText("Codex");
    await waitUntilReady(page);
    await expect(agentLimit(page, "questions")).toHaveText("Codex cannot ask you questions during a turn.");

    // Codex's shell tool, as its requests list it: `exec_command` with the command line in `cmd`. Under
    // the studio's "ask" policy Codex asks before every command that is not known to be read-only.
    await approveScriptedCommand(page, testInfo, "codex", {
      toolCall: {
        name: "exec_command",
        arguments: { cmd: "echo approved > approved.txt && cat approved.txt" },
      },
      allow: "Yes, proceed",
      // codex-acp announces the call only once it runs: until then the request is a card of its own.
    });
    // The command ran: the workspace panel lists the file it wrote.
    const panelToggle = page.getByRole("button", { name: "Workspace panel", exact: true });
    await panelToggle.click();
    const workspace = page.getByRole("region", { name: "Workspace", exact: true });
    await expect(
      workspace.getByRole("tree", { name: "Workspace files" }).locator('[data-path="approved.txt"]'),
    ).toBeVisible({ timeout: TURN_TIMEOUT });
    await panelToggle.click();

    // Stopped and resumed, Codex goes on with the same conversation.
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await page
      .getByRole("dialog", { name: "Stop this session?" })
      .getByRole("button", { name: "Stop session" })
      .click();
    await expect(sessionStatus(page)).toHaveText("Stopped", { timeout: TURN_TIMEOUT });
    await expect(composer(page)).toBeDisabled();
    await expect(agentLimit(page, "resume")).toHaveCount(0);
    await snap(page, testInfo, "codex-stopped");
    await page.getByRole("button", { name: "Resume session" }).click();
    await waitUntilReady(page);
    const tag = marker();
    await script(tag, [{ text: "Still here, and approved.txt is written." }]);
    await send(page, `${tag} are you still there?`);
    await expect(replies(page).filter({ hasText: "Still here, and approved.txt is written." })).toBeVisible({
      timeout: TURN_TIMEOUT,
    });
  },
);
