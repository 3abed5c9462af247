import { expect, type Page, test } from "@playwright/test";
import { type GitServer, startGitServer } from "../../packages/testkit/src/git-server.ts";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { addMember, createOrganization, newUser, signUp, snap } from "../support/studio.ts";

// Sign-ups, a second browser context and axe: more than the default minute on a busy machine.
test.describe.configure({ timeout: 150_000 });

// A real git server on this machine's loopback, behind HTTP Basic auth. The e2e studio listens on
// the loopback with PUBLIC_URL unset, so TENANT_PRIVATE_NETWORK is `allow` and http to it is allowed.
let server: GitServer;
test.beforeAll(async () => {
  server = await startGitServer();
});
test.afterAll(async () => {
  await server?.close();
});

/** Every text and every form value on the page: a saved token must appear in none of them. */
async function everythingOnThePage(page: Page): Promise<string> {
  return page.evaluate<string>(`[
    document.documentElement.outerHTML,
    ...Array.from(document.querySelectorAll("input, textarea"), (field) => field.value),
  ].join("\\n")`);
}

test("an admin adds, tests, replaces and removes a git host; a member sees it masked", async ({
  page,
  browser,
}, testInfo) => {
  const host = new URL(server.url).host;
  const admin = newUser("git");
  await signUp(page, admin);
  await createOrganization(page, `Git ${admin.name.split(" ")[1]}`);

  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Git hosts" }).click();
  await expect(page.getByText("No git hosts yet")).toBeVisible();
  await snap(page, testInfo, "git-hosts-empty");
  await expectNoSeriousA11yViolations(page, "git hosts (empty)");

  // A URL is not a host: the field says so and nothing is saved.
  await page.getByRole("button", { name: "Add host" }).click();
  const add = page.getByRole("dialog", { name: "Add a git host" });
  await add.getByLabel("Host", { exact: true }).fill("ssh://git@github.com");
  await add.getByLabel("Access token").fill(server.token);
  await add.getByRole("button", { name: "Save host" }).click();
  await expect(add.getByText(/Enter the host only/)).toBeVisible();
  await expect(add.getByLabel("Host", { exact: true })).toHaveAttribute("aria-invalid", "true");

  await add.getByLabel("Host", { exact: true }).fill(host);
  await expect(add.getByLabel("Access token")).toHaveAttribute("type", "password");
  await add.getByLabel("User name (optional)").fill(server.username);
  await add.getByRole("button", { name: "Save host" }).click();
  await expect(add).toBeHidden();
  const row = page.getByRole("listitem", { name: host });
  await expect(row.getByTestId("masked-token")).toHaveText(`••••${server.token.slice(-4)}`);
  await expect(row).toContainText(server.username);
  await expect(row).toContainText(admin.name);
  expect(await everythingOnThePage(page)).not.toContain(server.token);
  await expectNoSeriousA11yViolations(page, "git hosts (one host)");

  // The test runs git ls-remote on the studio's machine with the stored token.
  await row.getByRole("button", { name: `Test ${host}` }).click();
  const testDialog = page.getByRole("dialog", { name: `Test the ${host} credential` });
  const url = testDialog.getByLabel("Repository URL");
  await url.fill(server.repoUrl("private-demo"));
  await testDialog.getByRole("button", { name: "Run test" }).click();
  const result = testDialog.getByTestId("git-host-test-result");
  await expect(result).toContainText("The credential works.");
  await expect(result).toContainText(/answered with \d+ refs/);
  await snap(page, testInfo, "git-hosts-tested");
  await expectNoSeriousA11yViolations(page, "git hosts (test dialog)");

  await url.fill(server.repoUrl("no-such-repo"));
  await url.press("Enter");
  await expect(result).toContainText("Repository not found.");
  // Another host's URL is refused before git runs.
  await url.fill("https://gitlab.com/acme/widgets.git");
  await url.press("Enter");
  await expect(testDialog.getByText(`not on ${host}`)).toBeVisible();
  await testDialog.getByRole("button", { name: "Close" }).last().click();
  await expect(testDialog).toBeHidden();

  // Replacing keeps one row for the host; a wrong token fails authentication.
  await row.getByRole("button", { name: `Replace ${host}` }).click();
  const replace = page.getByRole("dialog", { name: `Replace the ${host} credential` });
  await expect(replace.getByLabel("Host", { exact: true })).toHaveValue(host);
  await expect(replace.getByLabel("Access token")).toHaveValue("");
  await replace.getByLabel("Access token").fill("gts_wrong_token_0000wxyz");
  await replace.getByRole("button", { name: "Replace credential" }).click();
  await expect(replace).toBeHidden();
  await expect(row.getByTestId("masked-token")).toHaveText("••••wxyz");
  await expect(page.getByRole("list", { name: "Git hosts" }).getByRole("listitem")).toHaveCount(1);
  await row.getByRole("button", { name: `Test ${host}` }).click();
  await testDialog.getByLabel("Repository URL").fill(server.repoUrl("private-demo"));
  await testDialog.getByRole("button", { name: "Run test" }).click();
  await expect(testDialog.getByTestId("git-host-test-result")).toContainText("Authentication failed.");
  await snap(page, testInfo, "git-hosts-refused");
  await page.keyboard.press("Escape");
  await expect(testDialog).toBeHidden();

  // A member sees the host, masked, and no way to change it.
  const member = await addMember(page, browser, newUser("gitmember"));
  await member.goto("/settings/git-hosts");
  await expect(member.getByText("Only owners and admins add, test or remove git hosts.")).toBeVisible();
  await expect(member.getByRole("listitem", { name: host }).getByTestId("masked-token")).toHaveText(
    "••••wxyz",
  );
  await expect(member.getByRole("button", { name: /^(Add|Test|Replace|Remove)/ })).toHaveCount(0);
  await snap(member, testInfo, "git-hosts-member");
  await expectNoSeriousA11yViolations(member, "git hosts (member)");
  await member.context().close();

  // Removing asks first, then the page is empty again.
  await page.goto("/settings/git-hosts");
  await row.getByRole("button", { name: `Remove ${host}` }).click();
  const remove = page.getByRole("dialog", { name: `Remove the ${host} credential?` });
  await expect(remove).toContainText("••••wxyz");
  await remove.getByRole("button", { name: "Remove credential" }).click();
  await expect(remove).toBeHidden();
  await expect(page.getByText("No git hosts yet")).toBeVisible();
});
