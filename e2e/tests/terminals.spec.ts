import { expect, type Page, test, type WebSocketRoute } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { startSession, TURN_TIMEOUT, waitUntilReady } from "../support/session.ts";
import { addMember, createOrganization, newUser, signUp, snap } from "../support/studio.ts";

// A person's own shell in the session's sandbox, in the workspace panel: open, type, rename, reload,
// a dropped connection, an exited shell, close; on a phone and in dark; and a stopped session.
test.describe.configure({ timeout: 300_000 });

/** How long a shell takes to start and answer in the sandbox (its prompt ends in the workspace). */
const SHELL_TIMEOUT = 20_000;

const panel = (page: Page) => page.getByRole("region", { name: "Workspace", exact: true });
const terminalView = (page: Page) =>
  panel(page).getByRole("tablist", { name: "Workspace views" }).getByRole("tab", { name: "Terminal" });
const terminalTabs = (page: Page) => panel(page).getByRole("tablist", { name: "Terminals" });
const screen = (page: Page, name: string) => panel(page).getByRole("region", { name: `Terminal ${name}` });
/** The rows xterm draws: what the terminal shows, as text. */
const rows = (page: Page, name: string) => screen(page, name).locator(".xterm-rows");
/** The terminal with its status line (`data-status`: live, reconnecting, exited…). */
const pane = (page: Page, name: string) => screen(page, name).locator("xpath=..");

/** Every Content-Security-Policy violation the page reports: xterm must draw without one. */
function watchPolicy(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text()))
      violations.push(message.text());
  });
  return violations;
}

test("a person opens a terminal, types in it, renames it, comes back to it and closes it", async ({
  page,
}, testInfo) => {
  const violations = watchPolicy(page);
  // The terminal sockets pass through here, so the test can drop one as a network would.
  const sockets: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/api\/sessions\/[^/]+\/terminals\/[^/]+\/socket$/, (socket) => {
    sockets.push(socket);
    socket.connectToServer();
  });

  await page.setViewportSize({ width: 1440, height: 900 });
  await signUp(page, newUser("terminal"));
  await startSession(page);
  await waitUntilReady(page);
  await page.getByRole("button", { name: "Workspace panel", exact: true }).click();
  await terminalView(page).click();
  await expect(panel(page).getByText("No terminal open")).toBeVisible();
  await snap(page, testInfo, "terminal-empty");

  // Open one and type a command: the shell's answer shows, not just the echo of what was typed.
  await panel(page).getByRole("button", { name: "New terminal" }).click();
  await expect(terminalTabs(page).getByRole("tab", { name: "Terminal 1" })).toHaveAttribute(
    "aria-selected",
    "true",
  );
  await expect(pane(page, "Terminal 1")).toHaveAttribute("data-status", "live", { timeout: SHELL_TIMEOUT });
  await expect(rows(page, "Terminal 1")).toContainText(/workspace[#$]/, { timeout: SHELL_TIMEOUT });
  await screen(page, "Terminal 1").click();
  await page.keyboard.type("echo hi-$((6*7))");
  await page.keyboard.press("Enter");
  await expect(rows(page, "Terminal 1")).toContainText("hi-42", { timeout: SHELL_TIMEOUT });
  await expect(page.getByText(/opened the terminal “Terminal 1”/)).toBeVisible();

  // Copy and paste as desktop terminals do: a double-click selects a word, Ctrl+Shift+C copies it,
  // Ctrl+Shift+V pastes (Ctrl+C stays the shell's interrupt).
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  const answer = await rows(page, "Terminal 1")
    .locator("> div")
    .filter({ hasText: /^hi-42/ })
    .boundingBox();
  expect(answer).not.toBeNull();
  await page.mouse.dblclick((answer?.x ?? 0) + 12, (answer?.y ?? 0) + (answer?.height ?? 0) / 2);
  await page.keyboard.press("Control+Shift+C");
  await snap(page, testInfo, "terminal-selection");
  await expect.poll(() => page.evaluate<string>("navigator.clipboard.readText()")).toBe("hi-42");
  await page.evaluate('navigator.clipboard.writeText("echo pasted-$((1+1))")');
  await page.keyboard.press("Control+Shift+V");
  await page.keyboard.press("Enter");
  await expect(rows(page, "Terminal 1")).toContainText("pasted-2", { timeout: SHELL_TIMEOUT });

  // Tab completes in the shell; Escape then Tab leaves the terminal (no keyboard trap).
  const input = screen(page, "Terminal 1").getByRole("textbox", { name: "Terminal input" });
  await expect(input).toBeFocused();
  await page.keyboard.type("echo $HOM");
  await page.keyboard.press("Tab");
  await expect(rows(page, "Terminal 1")).toContainText("echo $HOME", { timeout: SHELL_TIMEOUT });
  await expect(input).toBeFocused();
  await page.keyboard.press("Control+C");
  await expect(rows(page, "Terminal 1")).toContainText(/\$HOME\/?\^C/, { timeout: SHELL_TIMEOUT });
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  await expect(input).not.toBeFocused();
  await snap(page, testInfo, "terminal-light");
  // Back in it, the first key is the shell's again: leaving did not leave the Escape pending (the
  // shell would read Escape then "e" as Alt+E and the command would lose its first letter).
  await screen(page, "Terminal 1").click();
  await page.keyboard.type("echo back-$((2+3))");
  await page.keyboard.press("Enter");
  await expect(rows(page, "Terminal 1")).toContainText("back-5", { timeout: SHELL_TIMEOUT });

  // Rename it: its tab and the chat say so.
  await panel(page).getByRole("button", { name: "Rename the terminal Terminal 1" }).click();
  const dialog = page.getByRole("dialog", { name: "Rename terminal" });
  await expect(dialog.getByLabel("Name")).toHaveValue("Terminal 1");
  await dialog.getByLabel("Name").fill("Tests");
  await dialog.getByRole("button", { name: "Rename" }).click();
  await expect(dialog).toBeHidden();
  await expect(terminalTabs(page).getByRole("tab", { name: "Tests" })).toBeVisible();
  await expect(page.getByText("The terminal “Terminal 1” is now “Tests”")).toBeVisible();

  // A dropped connection comes back by itself, with the screen as it was (replayed, not doubled).
  expect(sockets.length).toBeGreaterThan(0);
  await sockets.at(-1)?.close({ code: 1006 });
  await expect(pane(page, "Tests")).toHaveAttribute("data-status", "reconnecting");
  await expect(pane(page, "Tests")).toContainText("Reconnecting…");
  await expect(pane(page, "Tests")).toHaveAttribute("data-status", "live", { timeout: SHELL_TIMEOUT });
  await expect(rows(page, "Tests").locator("> div").filter({ hasText: "hi-42" })).toHaveCount(1);

  // A reload: the same view, the same terminal, its earlier output again.
  await page.reload();
  await expect(terminalTabs(page).getByRole("tab", { name: "Tests" })).toBeVisible({ timeout: TURN_TIMEOUT });
  await expect(rows(page, "Tests")).toContainText("hi-42", { timeout: SHELL_TIMEOUT });
  await expect(pane(page, "Tests")).toHaveAttribute("data-status", "live");
  await expectNoSeriousA11yViolations(page, "a terminal in the workspace panel");

  // Dark, then a phone: the terminal follows the theme and fits the narrow screen.
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  await snap(page, testInfo, "terminal-dark");
  await page.setViewportSize({ width: 375, height: 812 });
  await page.getByRole("tablist", { name: "Session views" }).getByRole("tab", { name: "Workspace" }).click();
  await expect(rows(page, "Tests")).toContainText("hi-42", { timeout: SHELL_TIMEOUT });
  expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
  // The shell was told the narrow screen's size (fitted, then resized), not the 80 columns it had.
  // The phone layout shows the panel anew: its terminal reconnects, and takes keys once live again.
  await expect(pane(page, "Tests")).toHaveAttribute("data-status", "live", { timeout: SHELL_TIMEOUT });
  await screen(page, "Tests").click();
  await page.keyboard.type("echo cols-$(tput cols)");
  await page.keyboard.press("Enter");
  await expect(rows(page, "Tests")).toContainText(/cols-\d+/, { timeout: SHELL_TIMEOUT });
  const cols = Number(/cols-(\d+)/.exec((await rows(page, "Tests").textContent()) ?? "")?.[1]);
  expect(cols).toBeGreaterThan(20);
  expect(cols).toBeLessThan(60);
  await snap(page, testInfo, "terminal-phone-dark");
  await page.emulateMedia({ colorScheme: "light" });
  await snap(page, testInfo, "terminal-phone-light");
  await page.setViewportSize({ width: 1440, height: 900 });

  // A shell that exits says so, and offers a new one.
  await panel(page).getByRole("button", { name: "New terminal" }).click();
  await expect(pane(page, "Terminal 2")).toHaveAttribute("data-status", "live", { timeout: SHELL_TIMEOUT });
  await expect(rows(page, "Terminal 2")).toContainText(/workspace[#$]/, { timeout: SHELL_TIMEOUT });
  await screen(page, "Terminal 2").click();
  await page.keyboard.type("exit");
  await page.keyboard.press("Enter");
  await expect(pane(page, "Terminal 2")).toContainText("The shell exited", { timeout: SHELL_TIMEOUT });
  await expect(pane(page, "Terminal 2").getByRole("button", { name: "New terminal" })).toBeVisible();
  await snap(page, testInfo, "terminal-exited");
  await pane(page, "Terminal 2").getByRole("button", { name: "Close tab" }).click();
  await expect(terminalTabs(page).getByRole("tab")).toHaveCount(1);

  // Close the renamed one: none left.
  await terminalTabs(page).getByRole("tab", { name: "Tests" }).click();
  await panel(page).getByRole("button", { name: "Close the terminal Tests" }).click();
  await expect(panel(page).getByText("No terminal open")).toBeVisible();
  await expect(page.getByText(/closed the terminal “Tests”/)).toBeVisible();

  // Stopped, there is no shell to open: the panel says how to get one.
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await page.getByRole("button", { name: "Stop session" }).click();
  await expect(panel(page).locator(".terminals-unavailable")).toContainText(
    "Resume the session to use a terminal",
    { timeout: TURN_TIMEOUT },
  );
  await snap(page, testInfo, "terminal-stopped");
  expect(violations, "Content-Security-Policy violations").toEqual([]);
});

test("a member the organisation lets watch sees a terminal read-only", async ({
  page,
  browser,
}, testInfo) => {
  const owner = newUser("termowner");
  await page.setViewportSize({ width: 1440, height: 900 });
  await signUp(page, owner);
  await createOrganization(page, `Shells ${owner.name.split(" ")[1]}`);
  await page.goto("/settings/organization");
  await page.getByLabel("Members may watch terminals").check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByLabel("Members may watch terminals")).toBeChecked();
  const member = await addMember(page, browser, newUser("termwatcher"));

  const sessionId = await startSession(page);
  await waitUntilReady(page);
  await page.getByRole("button", { name: "Workspace panel", exact: true }).click();
  await terminalView(page).click();
  await panel(page).getByRole("button", { name: "New terminal" }).click();
  await expect(pane(page, "Terminal 1")).toHaveAttribute("data-status", "live", { timeout: SHELL_TIMEOUT });
  await screen(page, "Terminal 1").click();
  await page.keyboard.type("echo owner-$((40+2))");
  await page.keyboard.press("Enter");
  await expect(rows(page, "Terminal 1")).toContainText("owner-42", { timeout: SHELL_TIMEOUT });

  // The member sees the same terminal, says it is read-only, and offers nothing to change.
  await member.setViewportSize({ width: 1440, height: 900 });
  await member.goto(`/sessions/${sessionId}?ws=terminal`);
  await member.getByRole("button", { name: "Workspace panel", exact: true }).click();
  await expect(rows(member, "Terminal 1")).toContainText("owner-42", { timeout: SHELL_TIMEOUT });
  await expect(panel(member).getByText("Read only")).toBeVisible();
  // Nothing was sent for the server to refuse (not even the screen's size).
  await expect(pane(member, "Terminal 1")).not.toContainText("not type in it");
  await expect(panel(member).getByRole("button", { name: "New terminal" })).toHaveCount(0);
  await expect(
    panel(member).getByRole("button", { name: /Rename the terminal|Close the terminal/ }),
  ).toHaveCount(0);
  await snap(member, testInfo, "terminal-watcher");

  // What they type goes nowhere; what the owner types next shows for them as it happens.
  await screen(member, "Terminal 1").click();
  await member.keyboard.type("echo watcher-typed");
  await member.keyboard.press("Enter");
  await page.keyboard.type("echo again-$((50+8))");
  await page.keyboard.press("Enter");
  await expect(rows(member, "Terminal 1")).toContainText("again-58", { timeout: SHELL_TIMEOUT });
  await expect(rows(page, "Terminal 1")).not.toContainText("watcher-typed");
  await expect(rows(member, "Terminal 1")).not.toContainText("watcher-typed");
  await member.context().close();
});
