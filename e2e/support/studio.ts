import { randomUUID } from "node:crypto";
import { type Browser, expect, type Page, type TestInfo } from "@playwright/test";
import { apiMutation } from "./api.ts";
import { recordAccount } from "./run-registry.ts";

export interface TestUser {
  name: string;
  email: string;
  password: string;
}

/**
 * The run's mark, in every account's e-mail address (`…+e2e-<run>@example.test`), so what a run made
 * on a shared deployment can be found afterwards. Set once by the config, inherited by the workers.
 */
export const runId = process.env.E2E_RUN_ID ?? "local";

/** A user nobody else in this run (or any earlier run on the same studio) has used. */
export function newUser(label = "user"): TestUser {
  const id = randomUUID().slice(0, 8);
  const first = label.charAt(0).toUpperCase() + label.slice(1);
  return {
    name: `${first} ${id}`,
    email: `${label}-${id}+e2e-${runId}@example.test`,
    password: "correct horse battery",
  };
}

export function personalOrganization(user: TestUser): string {
  return `${user.name}'s workspace`;
}

/** Fills and submits the sign-up form on the current page (which must already show it). */
export async function fillSignUp(page: Page, user: TestUser) {
  // Recorded before it exists: a refused sign-up leaves a record the cleanup finds no account for.
  recordAccount(user, page.url(), runId);
  await page.getByLabel("Name").fill(user.name);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
}

/** Creates the account through the studio's API (the browser context keeps its session cookie). */
export async function signUpByApi(page: Page, user: TestUser) {
  const response = await page.request.post("/api/trpc/auth.signUp", {
    data: { json: { name: user.name, email: user.email, password: user.password } },
  });
  expect(response.status(), `signing up ${user.email}: ${await response.text()}`).toBe(200);
  // Written down for `pnpm test:e2e:cleanup` (run-registry.ts), with the studio it was made on.
  recordAccount(user, response.url(), runId);
}

/**
 * A signed-in person in the studio. Seeded through the API: only specs about the sign-up form fill
 * it in (`signUpThroughForm`).
 */
export async function signUp(page: Page, user: TestUser) {
  await signUpByApi(page, user);
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Studio" })).toBeVisible();
}

/** Signs up the way a person does, through the form. */
export async function signUpThroughForm(page: Page, user: TestUser) {
  await page.goto("/sign-up");
  await fillSignUp(page, user);
  await expect(page.getByRole("heading", { level: 1, name: "Studio" })).toBeVisible();
}

export async function signIn(page: Page, user: TestUser) {
  await page.goto("/sign-in");
  // A password a test signs in with may be one it changed to: the cleanup tries the newest first.
  recordAccount(user, page.url(), runId);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export function organizationSwitcher(page: Page) {
  return page.getByRole("button", { name: /^Organisation: / });
}

export function accountMenu(page: Page) {
  return page.getByRole("button", { name: /^Account: / });
}

/** Screenshots of each main state go into the HTML report (and test-results) for review. */
export async function snap(page: Page, testInfo: TestInfo, name: string) {
  // Also kept as test-results/<test>/<name>.png, which is easier to browse than the report.
  const path = testInfo.outputPath(`${name}.png`);
  // Full-page captures of a scrolled page misplace the sticky sidebar.
  await page.evaluate("window.scrollTo(0, 0)");
  await page.screenshot({ path, fullPage: true, animations: "disabled" });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

/**
 * A new organisation of the page's person, made through the API; the studio makes it their active
 * one, and the page is reloaded into it. (organizations.spec.ts makes one through the switcher.)
 */
export async function createOrganization(page: Page, name: string) {
  await apiMutation(page, "organizations.create", { name });
  await page.reload();
  await expect(organizationSwitcher(page)).toContainText(name);
  return name;
}

/** Creates an organisation the way a person does, through the switcher's dialog. */
export async function createOrganizationThroughSwitcher(page: Page, name: string) {
  await organizationSwitcher(page).click();
  await page.getByRole("menuitem", { name: "Create organisation" }).click();
  const dialog = page.getByRole("dialog", { name: "Create organisation" });
  await dialog.getByLabel("Organisation name").fill(name);
  await dialog.getByRole("button", { name: "Create organisation" }).click();
  await expect(dialog).toBeHidden();
  await expect(organizationSwitcher(page)).toContainText(name);
  return name;
}

/**
 * A new person in the page's active organisation, as a member: invited and accepted through the API
 * (invitations.spec.ts goes through the pages); returns their signed-in page, on the studio's home.
 */
export async function addMember(page: Page, browser: Browser, member: TestUser): Promise<Page> {
  const { link } = await apiMutation<{ link: string }>(page, "invitations.create", {
    email: member.email,
    role: "member",
  });
  const guest = await (await browser.newContext()).newPage();
  await signUpByApi(guest, member);
  await apiMutation(guest, "invitations.accept", { token: new URL(link).pathname.split("/").pop() });
  await guest.goto("/");
  await expect(guest.getByRole("heading", { level: 1, name: "Studio" })).toBeVisible();
  return guest;
}
